//go:build !unix

package graph

import "os"

// lockFile is a no-op where flock is missing: one process per state
// directory there.
func lockFile(*os.File) error { return nil }

func unlockFile(*os.File) error { return nil }
