//go:build !ixlb_crashpoints

package store

// serial is false: commits run in the background, overlapping the engine and each other.
const serial = false

// walkBatch is 0: the batch sizes are Options'.
const walkBatch = 0

// point is a durable point (see crashpoint.go); without the walk's build tag, nothing.
func point(pointKind, string) error { return nil }
