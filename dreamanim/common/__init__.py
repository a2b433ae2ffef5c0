"""What every stage shares: files written whole (the writer contract), digests, uint8 pixels, frozen settings."""
