"""touchbase: the whole sales system of a young company, self-hosted."""
