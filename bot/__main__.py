"""`python -m bot` runs the `sellerbot` command."""

from bot.cli import main

main()
