"""Sources: Amazon's report files, saved SP-API responses and the demo seller, read into records.

The only package that knows Amazon's formats. Buyer personal data is dropped here, while parsing,
before anything reaches the store, a log line or Slack (../shared/spec/privacy.md).
"""
