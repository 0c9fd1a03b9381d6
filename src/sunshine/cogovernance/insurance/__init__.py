"""Insurance community (食品安全保险共同体): food-safety liability cover of businesses."""
