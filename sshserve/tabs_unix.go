//go:build darwin || dragonfly || freebsd || linux

package sshserve

import "golang.org/x/sys/unix"

// noTabMoves says in the terminal's modes that tabs are expanded
// (XTABS). Bubble Tea reads this to decide whether it may move the cursor
// with tab characters, which lands right only if the terminal's tab stops
// are every 8 columns: the console cannot know that of an analyst's
// terminal at the other end of SSH (the previous server, without a PTY,
// never moved by tabs either). In raw mode the kernel does no output
// processing, so the flag changes nothing else. It also halves the
// renderer's cursor planning, which tries every way of moving for every
// move (moveCursor 1.10 s → 0.40 s of CPU profile in
// BenchmarkServe20Sessions; not visible in its latency).
func noTabMoves(fd int) error {
	t, err := unix.IoctlGetTermios(fd, getTermios)
	if err != nil {
		return err
	}
	t.Oflag = t.Oflag&^unix.TABDLY | unix.TAB3 // TAB3 is XTABS
	return unix.IoctlSetTermios(fd, setTermios, t)
}
