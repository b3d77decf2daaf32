"""Context management: context items, relevance, pruning strategies, prompt and response processing, token counting."""
