package mailbox

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/mailtriage/mailtriage/backend/fortimail"
	"github.com/mailtriage/mailtriage/backend/fortimail/fortimailtest"
	"github.com/mailtriage/mailtriage/backend/mail/mailtest"
)

// fortiMailClient is a client of a FortiMail emulator with the default
// seed, closed when the test ends.
func fortiMailClient(t *testing.T) *fortimail.Client {
	t.Helper()
	fm := fortimailtest.New(fortimailtest.Options{})
	t.Cleanup(fm.Close)
	fm.Seed(fortimailtest.DefaultSeed())
	client, err := fortimail.New(fortimail.Options{URL: fm.URL(), Username: fm.Username(), Password: func(context.Context) (string, error) { return fm.Password(), nil }})
	if err != nil {
		t.Fatal(err)
	}
	return client
}

func TestBlockSenderOnFortiMailWithPlanAndUndo(t *testing.T) {
	client := fortiMailClient(t)
	mb := mailtest.New()
	mb.Generate("INBOX", 3, testNow)
	h := newHarness(t, mb, 150, 24)
	h.m.c.Gateways.FortiMail = client

	h.press("b")
	if v := h.screen(); !strings.Contains(v, "FortiMail: system block list, address") || !strings.Contains(v, "block list of session profile") {
		t.Fatalf("options:\n%s", v)
	}
	h.typeText("system block list, addr")
	h.press("enter")
	if v := h.screen(); !strings.Contains(v, "Apply? FortiMail: system block list, address — 1 entry: s2@example.com") {
		t.Fatalf("plan:\n%s", v)
	}
	h.press("y")
	list, _ := client.SenderList(context.Background(), "", fortimail.BlockList)
	if !slices.Contains(list, "s2@example.com") {
		t.Fatalf("block list %q (errors %v)", list, h.errs)
	}
	h.press("u")
	list, _ = client.SenderList(context.Background(), "", fortimail.BlockList)
	if slices.Contains(list, "s2@example.com") {
		t.Fatal("undo left the entry")
	}
	recs, _ := h.m.c.Actions.Remedy.Audit.Recent(4)
	if len(recs) != 4 || recs[3].Action != "block-sender" || recs[0].Action != "unblock-sender" || recs[0].Result != "ok" {
		t.Fatalf("audit %+v", recs)
	}
}

func TestBlockSenderWithoutGatewaysSaysHow(t *testing.T) {
	mb := mailtest.New()
	mb.Generate("INBOX", 1, testNow)
	h := newHarness(t, mb, 150, 24)
	h.press("b")
	if len(h.errs) == 0 || !strings.Contains(h.errs[0].Error(), "[mimecast] or [fortimail]") {
		t.Fatalf("errors %v", h.errs)
	}
}

// A block of an internal sender is stopped, says why, and goes ahead only
// when the analyst types the domain; the override is in the audit record.
func TestBlockOfAnInternalSenderNeedsTheDomainTyped(t *testing.T) {
	client := fortiMailClient(t)
	mb := mailtest.New()
	mb.Generate("INBOX", 3, testNow) // senders s0…s2@example.com
	h := newHarness(t, mb, 150, 24)
	h.m.c.Gateways.FortiMail = client
	h.m.c.Limits.Signals.InternalDomains = []string{"example.com"}

	h.press("b")
	h.typeText("system block list, addr")
	h.press("enter")
	if v := h.screen(); !strings.Contains(v, "Stopped: example.com is an internal domain") || !strings.Contains(v, "Type example.com to block anyway") {
		t.Fatalf("not stopped:\n%s", v)
	}
	h.typeText("example")
	h.press("enter")
	list, _ := client.SenderList(context.Background(), "", fortimail.BlockList)
	if slices.Contains(list, "s2@example.com") || len(h.errs) == 0 || !strings.Contains(h.errs[len(h.errs)-1].Error(), "does not confirm") {
		t.Fatalf("a wrong go-ahead blocked: list %q errors %v", list, h.errs)
	}

	h.press("b")
	h.typeText("system block list, addr")
	h.press("enter")
	h.typeText("example.com")
	h.press("enter")
	list, _ = client.SenderList(context.Background(), "", fortimail.BlockList)
	if !slices.Contains(list, "s2@example.com") {
		t.Fatalf("the typed go-ahead did not block: %q (errors %v)", list, h.errs)
	}
	recs, _ := h.m.c.Actions.Remedy.Audit.Recent(2)
	if len(recs) != 2 || !strings.Contains(recs[1].Detail, "guardrail overridden by typing example.com") {
		t.Fatalf("audit %+v", recs)
	}
}
