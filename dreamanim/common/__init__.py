"""What every stage shares: files written whole (the writer contract), content digests, the frozen settings base."""
