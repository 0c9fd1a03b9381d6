"""Reviews (用户评价): diners rate a store; anti-abuse folds, never deletes."""
