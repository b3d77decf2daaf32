"""Context management: context items, chunking, relevance, pruning strategies, prompt and response
processing, token counting."""
