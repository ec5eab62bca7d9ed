"""The unit emulation ranking (Văn bản 3718/UBND-KGVX): IT-deployment indicators, the formula, published rankings."""
