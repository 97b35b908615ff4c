//go:build unix

package graph

import (
	"os"
	"syscall"
)

// lockFile takes an exclusive advisory lock, shared with other processes.
func lockFile(f *os.File) error { return syscall.Flock(int(f.Fd()), syscall.LOCK_EX) }

func unlockFile(f *os.File) error { return syscall.Flock(int(f.Fd()), syscall.LOCK_UN) }
