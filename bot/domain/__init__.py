"""Pure rules of the trade: no Slack, SQL or scheduler code here; time comes in as arguments."""
