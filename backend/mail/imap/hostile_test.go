package imap

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mailtriage/mailtriage/backend/mail"
	"github.com/mailtriage/mailtriage/internal/hostileimap"
)

func hostileBox(t *testing.T) (*Mailbox, *hostileimap.Server) {
	t.Helper()
	srv := hostileimap.Start(t, hostileimap.Corpus()...)
	box := New(Config{Addr: srv.Addr, TLS: TLSNone, Username: "u", Password: func(context.Context) (string, error) { return "pw", nil }})
	t.Cleanup(func() { box.Close() })
	return box, srv
}

// One undecodable folder name no longer fails the whole list: every
// folder is listed, undecodable parts shown as markers, and the folder
// opens by its raw name.
func TestUndecodableFolderNamesListAndOpen(t *testing.T) {
	box, srv := hostileBox(t)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	folders, err := box.Folders(ctx)
	if err != nil {
		t.Fatalf("folders: %v", err)
	}
	names := map[string]mail.Folder{}
	for _, f := range folders {
		names[f.Name] = f
	}
	for raw, want := range map[string]string{
		hostileimap.UnterminatedName: "Reports ⟨&Jjo⟩",
		hostileimap.ASCIIShiftName:   "Bad⟨&AGE-⟩name",
		hostileimap.NotUTF8Name:      "Caf⟨0xE9⟩ ⟨0xFF⟩",
		hostileimap.OSC8Name:         "\x1b]8;;https://evil.example/\aclick\x1b]8;;\a", // valid: data, sanitized where shown
		hostileimap.RLOName:          "invoice\u202Efdp.exe",
	} {
		if _, ok := names[want]; !ok {
			t.Errorf("%q not listed as %q; got %q", raw, want, slices.Collect(mapKeys(names)))
		}
	}
	if len(folders) != len(hostileimap.Corpus()) {
		t.Errorf("%d folders listed, want %d", len(folders), len(hostileimap.Corpus()))
	}
	if f := names["Reports ⟨&Jjo⟩"]; !f.Status.Known || f.Status.Messages != 2 {
		t.Errorf("status of the undecodable folder: %+v", f.Status)
	}
	for _, shown := range []string{"Reports ⟨&Jjo⟩", "Bad⟨&AGE-⟩name"} {
		l, err := box.List(ctx, shown, 10)
		if err != nil {
			t.Fatalf("open %q: %v", shown, err)
		}
		if len(l.UIDs) == 0 || len(l.Newest) == 0 {
			t.Errorf("%q opened empty: %+v", shown, l)
		}
	}
	selected := 0
	for _, c := range srv.Commands() {
		if strings.Contains(c, "SELECT \"Reports &Jjo\"") || strings.Contains(c, "SELECT \"Bad&AGE-name\"") {
			selected++
		}
	}
	if selected != 2 {
		t.Errorf("the server was not asked for the raw names: %q", srv.Commands())
	}
}

// A keyword that is not an atom is shown as a marked keyword and the
// folder opens; a $mt_ keyword that decodes to an escape is data.
func TestMalformedKeywordsDoNotBreakTheFolder(t *testing.T) {
	box, _ := hostileBox(t)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	l, err := box.List(ctx, "INBOX", 10)
	if err != nil {
		t.Fatalf("open INBOX: %v", err)
	}
	envs := l.Newest
	if len(envs) != 4 {
		t.Fatalf("%d envelopes, want 4", len(envs))
	}
	var cats []string
	for _, e := range envs {
		for _, k := range e.Flags.Keywords {
			cats = append(cats, mail.DecodeKeyword(k))
		}
	}
	for _, want := range []string{"\x1b[31m", "⟨malformed keyword⟩\"bad keyword\"", "⟨malformed keyword⟩kw]x", "⟨malformed keyword⟩kw\u009bx"} {
		if !slices.Contains(cats, want) {
			t.Errorf("category %q missing from %q", want, cats)
		}
	}
	bodies := 0
	err = box.FetchMany(ctx, l.Folder, l.UIDs, 0, func(m *mail.RawMessage) error {
		bodies++
		return nil
	})
	if err != nil || bodies != 4 {
		t.Errorf("fetched %d bodies: %v", bodies, err)
	}
}

func mapKeys[V any](m map[string]V) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// STARTTLS is done below the tolerant transport; a server that refuses it
// is said so, with what to do and the server's words.
func TestStartTLSRefusedSaysSo(t *testing.T) {
	srv := hostileimap.Start(t, hostileimap.Corpus()...)
	box := New(Config{Addr: srv.Addr, TLS: TLSStartTLS, Username: "u", DialTimeout: 5 * time.Second, Password: func(context.Context) (string, error) { return "pw", nil }})
	defer box.Close()
	_, err := box.Folders(context.Background())
	var ce *mail.ConnError
	if !errors.As(err, &ce) || ce.Stage != "starttls" || !strings.Contains(err.Error(), `server does not offer STARTTLS; use tls = "implicit"`) || !strings.Contains(err.Error(), "not spoken here") {
		t.Fatalf("error %v (%#v)", err, ce)
	}
}
