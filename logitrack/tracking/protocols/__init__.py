"""Wire formats that devices speak, parsed into ``PositionReport`` values (pure, no I/O)."""
