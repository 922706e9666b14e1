"""`python -m bot` runs the `sellerbot` command."""

from bot.cli import main

# Guarded: the import's parser process (bot/usecases/import_pipeline.py) is spawned and
# imports __main__.
if __name__ == "__main__":
    main()
