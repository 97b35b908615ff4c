// Package common holds what every screen shares and nothing more: one
// small context struct (context, styles, keys, job runner, clock,
// operator), the screen contract, key maps, request slots, and helpers
// for drawing untrusted text. What reaches the backend — accounts, the
// action layer, the gateways — is package session's, so a screen that
// needs none of it (jobs) depends on none of it.
package common

import (
	"context"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/mailtriage/mailtriage/backend/jobs"
	"github.com/mailtriage/mailtriage/themes"
)

// Common is shared by every screen of one console session. It is passed by
// pointer so a theme change reaches every screen at once.
type Common struct {
	Ctx    context.Context
	Styles *themes.Styles
	Jobs   *jobs.Runner
	// Keys holds per-screen key overrides from the configuration.
	Keys map[string]map[string][]string
	// Dialog answers every question a screen asks ([keys.dialog]).
	Dialog DialogKeys
	// Now is the clock; tests fix it so golden files do not age.
	Now func() time.Time
	// Operator is who is at the keyboard (for job records).
	Operator string
}

// RunJob runs fn as a backend job off the UI goroutine and turns its
// outcome into one typed message with done. The UI never waits for it.
func RunJob[T any](c *Common, spec jobs.Spec, fn func(ctx context.Context, p *jobs.Progress) (T, error), done func(id jobs.ID, v T, err error) tea.Msg) tea.Cmd {
	return func() tea.Msg {
		var out T
		id, err := c.Jobs.Run(c.Ctx, spec, func(ctx context.Context, p *jobs.Progress) error {
			v, err := fn(ctx, p)
			out = v
			return err
		})
		return done(id, out, err)
	}
}

// ErrorMsg reports a failure for the status bar.
type ErrorMsg struct{ Err error }

// InfoMsg reports news for the status bar.
type InfoMsg struct{ Text string }

// Error returns a command that reports err.
func Error(err error) tea.Cmd {
	if err == nil {
		return nil
	}
	return func() tea.Msg { return ErrorMsg{Err: err} }
}

// Info returns a command that reports text.
func Info(text string) tea.Cmd {
	return func() tea.Msg { return InfoMsg{Text: text} }
}

// BackMsg asks the root to leave the current screen.
type BackMsg struct{}
