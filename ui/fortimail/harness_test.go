package fortimail

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	bfm "github.com/mailtriage/mailtriage/backend/fortimail"
	"github.com/mailtriage/mailtriage/backend/fortimail/fortimailtest"
	"github.com/mailtriage/mailtriage/backend/jobs"
	"github.com/mailtriage/mailtriage/themes"
	"github.com/mailtriage/mailtriage/ui/common"
	"github.com/mailtriage/mailtriage/ui/session"
	"github.com/mailtriage/mailtriage/ui/uitest"
)

var testNow = time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)

// harness is the screen against the emulator, driven the way the analyst
// does: keys in, every job run to completion, replies fed back.
type harness struct {
	t     testing.TB
	m     *Model
	c     *session.Session
	srv   *fortimailtest.Server
	errs  []error
	infos []string
	shown []common.ShowScreenMsg
}

type harnessOption func(*fortimailtest.SeedData, *session.Session)

func newHarness(t testing.TB, w, h int, opts ...harnessOption) *harness {
	t.Helper()
	return newHarnessOn(t, w, h, fortimailtest.Options{}, opts...)
}

// newHarnessOn is newHarness against an emulator with srvOpts.
func newHarnessOn(t testing.TB, w, h int, srvOpts fortimailtest.Options, opts ...harnessOption) *harness {
	t.Helper()
	srv := fortimailtest.New(srvOpts)
	t.Cleanup(srv.Close)
	seed := fortimailtest.DefaultSeed()
	client, err := bfm.New(bfm.Options{URL: srv.URL(), Username: srv.Username(),
		Password: func(context.Context) (string, error) { return srv.Password(), nil }})
	if err != nil {
		t.Fatal(err)
	}
	c := &session.Session{Common: &common.Common{Ctx: context.Background(), Styles: themes.NewPlainStyles(), Jobs: jobs.NewRunner(50),
		Now: func() time.Time { return testNow }}, Actions: uitest.Actions(t), Gateways: session.Gateways{FortiMail: client}}
	for _, o := range opts {
		o(&seed, c)
	}
	srv.Seed(seed)
	hs := &harness{t: t, m: New(c), c: c, srv: srv}
	hs.m.SetSize(w, h)
	hs.m.Render() // the analyst pressed 3: the screen is drawn, and logs in
	hs.run(hs.m.Init())
	return hs
}

func (h *harness) run(cmd tea.Cmd) {
	uitest.Drive(h.m, cmd, func(msg tea.Msg) {
		switch msg := msg.(type) {
		case common.ErrorMsg:
			h.errs = append(h.errs, msg.Err)
		case common.InfoMsg:
			h.infos = append(h.infos, msg.Text)
		case common.ShowScreenMsg:
			h.shown = append(h.shown, msg)
		}
	})
}

func (h *harness) press(keys ...string) {
	h.t.Helper()
	for _, k := range keys {
		_, cmd := h.m.Update(uitest.Key(k))
		h.run(cmd)
	}
}

func (h *harness) typeText(s string) {
	for _, r := range s {
		h.press(string(r))
	}
}

func (h *harness) screen() string { return uitest.Plain(h.m.Render()) }

// requireScreen fails unless the screen shows every one of want.
func (h *harness) requireScreen(want ...string) string {
	h.t.Helper()
	s := h.screen()
	for _, w := range want {
		if !strings.Contains(s, w) {
			h.t.Fatalf("screen lacks %q:\n%s", w, s)
		}
	}
	return s
}

func (h *harness) noErrors() {
	h.t.Helper()
	if len(h.errs) > 0 {
		h.t.Fatalf("errors: %v\n%s", h.errs, h.screen())
	}
}

// requests returns the emulator's log of method requests whose path
// contains part.
func (h *harness) requests(method, part string) []fortimailtest.Request {
	var out []fortimailtest.Request
	for _, r := range h.srv.Requests() {
		if r.Method == method && strings.Contains(r.Path, part) {
			out = append(out, r)
		}
	}
	return out
}

func toJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// helpLine writes bindings as the help bar does.
func helpLine(bs []key.Binding) string {
	parts := make([]string, 0, len(bs))
	for _, b := range bs {
		if b.Enabled() {
			parts = append(parts, b.Help().Key+" "+b.Help().Desc)
		}
	}
	return strings.Join(parts, " · ")
}
