"""Network edges shared by every process: the private-address guard."""
