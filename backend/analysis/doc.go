// Package analysis turns hostile e-mail content into text that is safe to
// show on the analyst's terminal, and extracts evidence from it.
//
// Everything that comes out of a message — header fields, bodies, file
// names — is attacker-controlled. A terminal interprets some byte sequences
// as commands (cursor movement, window titles, clipboard writes, hyperlinks)
// and a Unicode renderer lets invisible or reordering characters change what
// the analyst believes they are reading. The functions here never pass such
// content through: each dangerous item is replaced by one visible marker
// segment, for example ⟨ESC⟩, ⟨CSI 31m⟩ or ⟨RLO⟩, so the analyst sees that
// something was there without the terminal acting on it.
//
// The package is pure: no I/O, no network, no UI. All functions are safe for
// concurrent use.
package analysis
