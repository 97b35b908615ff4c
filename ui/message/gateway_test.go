package message

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/mailtriage/mailtriage/backend/mimecast"
	"github.com/mailtriage/mailtriage/backend/mimecast/mimecasttest"
	"github.com/mailtriage/mailtriage/ui/session"
)

const urlMail = "From: x@evil.example\r\nTo: ap@example.com\r\nSubject: reset\r\nMessage-ID: <u1@evil.example>\r\n\r\nGo to https://login.evil.example/reset now\r\n"

func withMimecast(t *testing.T, h *harness) *mimecasttest.Server {
	t.Helper()
	srv := mimecasttest.New(mimecasttest.Options{})
	t.Cleanup(srv.Close)
	srv.Seed(mimecasttest.SampleData(time.Now()))
	cred := srv.Credentials()
	secret := func(s string) mimecast.SecretFunc { return func(context.Context) (string, error) { return s, nil } }
	c, err := mimecast.New(mimecast.Options{BaseURL: srv.URL(), Auth: mimecast.AuthHMAC, AppID: cred.AppID, AppKey: secret(cred.AppKey), AccessKey: cred.AccessKey, SecretKey: secret(cred.SecretKey)})
	if err != nil {
		t.Fatal(err)
	}
	h.m.c.Gateways.Mimecast = c
	return srv
}

func TestBlockURLOnMimecastFromTheURLsTab(t *testing.T) {
	h := open(t, []byte(urlMail), 120, 30)
	srv := withMimecast(t, h)
	h.goTo(tabURLs)
	h.press("B")
	if !strings.Contains(h.screen(), "block hxxps://login[.]evil[.]example/reset on Mimecast?  e this URL   d its whole domain   n/esc no") {
		t.Fatalf("question:\n%s", h.screen())
	}
	h.press("e")
	found := false
	for _, u := range srv.ManagedURLs() {
		if u.Action == "block" && strings.Contains(u.URL, "login.evil.example/reset") {
			found = true
		}
	}
	if !found {
		t.Fatalf("not blocked on the emulator: %+v (errors %v)", srv.ManagedURLs(), h.errs)
	}
	recs, _ := h.m.c.Actions.Remedy.Audit.Recent(2)
	if len(recs) != 2 || recs[0].Action != "mimecast-block-url" || recs[0].Result != "ok" {
		t.Fatalf("audit %+v", recs)
	}
	// n cancels and sends nothing.
	before := len(srv.ManagedURLs())
	h.press("P", "n")
	if len(srv.ManagedURLs()) != before {
		t.Fatal("n permitted anyway")
	}
	// d blocks the whole domain.
	h.press("B", "d")
	domain := false
	for _, u := range srv.ManagedURLs() {
		domain = domain || u.MatchType == "domain" && u.Action == "block"
	}
	if !domain {
		t.Fatalf("no domain block: %+v (errors %v)", srv.ManagedURLs(), h.errs)
	}
}

func TestTrackAndBlockSenderAskTheRoot(t *testing.T) {
	h := open(t, []byte(urlMail), 120, 30)
	h.m.env.MessageID = "u1@evil.example"
	h.press("T")
	if len(h.errs) == 0 || !strings.Contains(h.errs[0].Error(), "no Mimecast gateway is configured") {
		t.Fatalf("without Mimecast: %v", h.errs)
	}
	withMimecast(t, h)
	h.press("T", "b")
	var track, block bool
	for _, msg := range h.msgs {
		switch msg := msg.(type) {
		case session.TrackMsg:
			track = msg.MessageID == "u1@evil.example"
		case session.BlockSenderMsg:
			block = true
		}
	}
	if !track || !block {
		t.Fatalf("track %v block %v", track, block)
	}
}
