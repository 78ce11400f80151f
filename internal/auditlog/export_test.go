package auditlog

// SetChunkLeaves sets the number of leaves Verify reads and hashes at once
// and returns the function that restores it.
func SetChunkLeaves(n int64) (restore func()) {
	old := chunkLeaves
	chunkLeaves = n
	return func() { chunkLeaves = old }
}
