"""What every part of touchbase shares: the CLI commands, login enforcement, the layout."""
