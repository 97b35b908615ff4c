package sshserve

import "golang.org/x/sys/unix"

// The ioctl requests that read and write a terminal's modes.
const (
	getTermios = unix.TCGETS
	setTermios = unix.TCSETS
)
