"""Machinery of the recursive-reasoning mazes family: maze grids (grid) and the TRM-Local net (net)."""
