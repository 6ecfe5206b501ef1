"""One module per view; views import shared parts (session, components, cache), never each other."""
