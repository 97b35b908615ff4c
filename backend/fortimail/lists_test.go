package fortimail_test

import (
	"errors"
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/mailtriage/mailtriage/backend/fortimail"
	"github.com/mailtriage/mailtriage/backend/fortimail/fortimailtest"
)

func TestSessionProfileListsReadAddRemove(t *testing.T) {
	srv, c := start(t, fortimailtest.Options{})
	safe, err := c.SessionListEntries(ctx, "Inbound_Session", fortimail.SessionSenderSafeList)
	mustOK(t, err)
	if want := []string{"alerts@partner.example.org", "*@payroll.example.com"}; !reflect.DeepEqual(safe, want) {
		t.Errorf("safe list %q, want %q", safe, want)
	}
	// An IP range holds a slash: it must travel as one path segment.
	for _, e := range []string{"*@evil.example.net", "192.0.2.0/24"} {
		mustOK(t, c.AddSessionListEntry(ctx, "Inbound_Session", fortimail.SessionSenderBlockList, e))
	}
	mustOK(t, c.RemoveSessionListEntry(ctx, "Inbound_Session", fortimail.SessionSenderBlockList, "203.0.113.0/24"))
	block, err := c.SessionListEntries(ctx, "Inbound_Session", fortimail.SessionSenderBlockList)
	mustOK(t, err)
	want := []string{"*@bulk-mailer.example.net", "invoice@fakebank.example.net", "*@evil.example.net", "192.0.2.0/24"}
	if !reflect.DeepEqual(block, want) {
		t.Errorf("block list %q, want %q", block, want)
	}
	if got := srv.Snapshot().SessionLists["Inbound_Session"].SenderBlock; !reflect.DeepEqual(got, want) {
		t.Errorf("appliance holds %q", got)
	}
	err = c.AddSessionListEntry(ctx, "Inbound_Session", fortimail.SessionSenderBlockList, "*@evil.example.net")
	if err == nil || !strings.Contains(err.Error(), "Duplicate") {
		t.Errorf("adding a duplicate: %v", err)
	}
}

func TestRecipientListsOfASessionProfile(t *testing.T) {
	_, c := start(t, fortimailtest.Options{})
	mustOK(t, c.AddSessionListEntry(ctx, "Strict_Inbound", fortimail.SessionRecipientSafeList, "ceo@example.com"))
	safe, err := c.SessionListEntries(ctx, "Strict_Inbound", fortimail.SessionRecipientSafeList)
	mustOK(t, err)
	block, err := c.SessionListEntries(ctx, "Strict_Inbound", fortimail.SessionRecipientBlockList)
	mustOK(t, err)
	if !reflect.DeepEqual(safe, []string{"ceo@example.com"}) || !reflect.DeepEqual(block, []string{"former.employee@example.com"}) {
		t.Errorf("recipient lists safe %q block %q", safe, block)
	}
}

func TestSenderListsOn7x(t *testing.T) {
	srv, c := start(t, fortimailtest.Options{Version: "7.2.0"})
	block, err := c.SenderList(ctx, fortimail.System, fortimail.BlockList)
	mustOK(t, err)
	if len(block) != 3 || block[0] != "*@phish.example.net" {
		t.Fatalf("system block list %q", block)
	}
	mustOK(t, c.AddToSenderList(ctx, "", fortimail.BlockList, "bad@example.net", "*@worse.example.net"))
	mustOK(t, c.RemoveFromSenderList(ctx, "", fortimail.BlockList, "198.51.100.0/24"))
	mustOK(t, c.AddToSenderList(ctx, "example.com", fortimail.SafeList, "hr@example.org"))

	snap := srv.Snapshot().SenderLists
	wantBlock := []string{"*@phish.example.net", "billing@invoice-update.example.net", "bad@example.net", "*@worse.example.net"}
	if !reflect.DeepEqual(snap["system"].Block, wantBlock) {
		t.Errorf("system block list %q, want %q", snap["system"].Block, wantBlock)
	}
	if want := []string{"noreply@payroll.example.com", "hr@example.org"}; !reflect.DeepEqual(snap["example.com"].Safe, want) {
		t.Errorf("example.com safe list %q, want %q", snap["example.com"].Safe, want)
	}
	adds := requests(srv, http.MethodPost, "SenderListV2/system")
	add := adds[1].Fields()
	if add["extraParam"] != "blocklist" || add["listitems"] != "bad@example.net,*@worse.example.net" || add["reqAction"] != float64(2) {
		t.Errorf("add body %v", add)
	}
	safe, err := c.SenderList(ctx, "example.com", fortimail.SafeList)
	mustOK(t, err)
	if len(safe) != 2 {
		t.Errorf("example.com safe list %q", safe)
	}
}

func TestSenderListsOn6xUseUserMaillist(t *testing.T) {
	srv, c := start(t, fortimailtest.Options{Version: "6.4.5"})
	mustOK(t, c.AddToSenderList(ctx, "", fortimail.SafeList, "partner@example.org"))
	safe, err := c.SenderList(ctx, "", fortimail.SafeList)
	mustOK(t, err)
	if want := []string{"*@partner.example.org", "partner@example.org"}; !reflect.DeepEqual(safe, want) {
		t.Errorf("safe list %q, want %q", safe, want)
	}
	reqs := requests(srv, http.MethodPost, "UserMaillist/system")
	if len(reqs) != 2 || reqs[0].Fields()["extraParam"] != "whitelist" {
		t.Errorf("6.x requests %+v", reqs)
	}
}

func TestConfiguredVersionChoosesTheListResource(t *testing.T) {
	srv := fortimailtest.New(fortimailtest.Options{Version: "6.4.5"})
	t.Cleanup(srv.Close)
	c := newClient(t, srv, func(o *fortimail.Options) { o.Version = "7.2" })
	_, err := c.SenderList(ctx, "", fortimail.BlockList)
	var apiErr *fortimail.APIError
	if !errors.As(err, &apiErr) || apiErr.Path != "SenderListV2/system/" {
		t.Errorf("error %v: the configured 7.2 should have picked SenderListV2", err)
	}
}

func TestListEntriesAreCheckedBeforeSending(t *testing.T) {
	srv, c := start(t, fortimailtest.Options{})
	for _, bad := range []string{"", "a@x.com,b@y.com", "a b@x.com", "a@x.com\n"} {
		if err := c.AddToSenderList(ctx, "", fortimail.BlockList, bad); err == nil {
			t.Errorf("sender list entry %q accepted", bad)
		}
		if err := c.AddSessionListEntry(ctx, "Inbound_Session", fortimail.SessionSenderBlockList, bad); err == nil {
			t.Errorf("session list entry %q accepted", bad)
		}
	}
	if err := c.AddToSenderList(ctx, "", fortimail.BlockList); err == nil {
		t.Error("adding nothing accepted")
	}
	for _, r := range srv.Requests() {
		if !strings.Contains(r.Path, "AdminLogin") {
			t.Errorf("a request went out: %s %s", r.Method, r.Path)
		}
	}
}

func TestUnknownSenderListScopeIsNotFound(t *testing.T) {
	_, c := start(t, fortimailtest.Options{})
	if _, err := c.SenderList(ctx, "unknown.example", fortimail.BlockList); !errors.Is(err, fortimail.ErrNotFound) {
		t.Errorf("error %v, want ErrNotFound", err)
	}
}
