"""Family core of the Levin-search stubs (Schmidhuber 1995/1997): the paper's storage machine
(`machine`) and Levin's universal search with phase-doubling time-sharing over it (`search`)."""
