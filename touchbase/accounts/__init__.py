"""Users of touchbase: sellers, managers and admins, who log in with their email."""
