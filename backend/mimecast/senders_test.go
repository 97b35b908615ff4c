package mimecast_test

import (
	"errors"
	"testing"

	"github.com/mailtriage/mailtriage/backend/mimecast"
	"github.com/mailtriage/mailtriage/backend/mimecast/mimecasttest"
)

func TestBlockThenPermitSender(t *testing.T) {
	e := setup(t, mimecast.AuthHMAC)
	b := get(e.c.BlockSender(ctx(t), "phisher@evil.example", "j.doe@example.com"))(t)
	if !b.Blocked() || b.Sender != "phisher@evil.example" || b.To != "j.doe@example.com" || b.ID == "" {
		t.Fatalf("BlockSender = %+v", b)
	}
	p := get(e.c.PermitSender(ctx(t), "phisher@evil.example", "j.doe@example.com"))(t)
	if p.Blocked() || p.ID != b.ID {
		t.Errorf("PermitSender = %+v, want the same entry, permitted", p)
	}
	list := get(e.c.ManagedSenders(ctx(t), mimecast.ListOptions{}))(t)
	if len(list) != 1 || list[0].Type != "Permit" {
		t.Errorf("ManagedSenders = %+v, want one Permit entry", list)
	}
	if got := e.srv.ManagedSenders(); len(got) != 1 || got[0].Type != "Permit" {
		t.Errorf("server state = %+v", got)
	}
}

func TestBlockSenderRefusesNonAddresses(t *testing.T) {
	e := setup(t, mimecast.AuthHMAC)
	for _, pair := range [][2]string{{"evil.example", "a@example.com"}, {"x@evil.example", "Jane <j@example.com>"}} {
		_, err := e.c.BlockSender(ctx(t), pair[0], pair[1])
		var ve *mimecast.ValidationError
		if !errors.As(err, &ve) {
			t.Errorf("BlockSender(%q, %q) err = %v, want *ValidationError", pair[0], pair[1], err)
		}
	}
}

func TestManagedURLs(t *testing.T) {
	e := setup(t, mimecast.AuthOAuth2)
	blocked := get(e.c.BlockURL(ctx(t), "http://billing-notice.top/login?inv=1", mimecast.MatchDomain, "campaign 42"))(t)
	if blocked.Action != mimecast.URLBlock || blocked.MatchType != mimecast.MatchDomain || blocked.Domain != "billing-notice.top" ||
		blocked.Path != "/login" || blocked.QueryString != "inv=1" || blocked.Comment != "campaign 42" {
		t.Fatalf("BlockURL = %+v", blocked)
	}
	permit := mimecast.ManagedURLSpec{URL: "https://intranet.example.com:8443/sso", Action: mimecast.URLPermit,
		MatchType: mimecast.MatchExplicit, DisableRewrite: true, DisableUserAwareness: true, DisableLogClick: true}
	p := get(e.c.CreateManagedURL(ctx(t), permit))(t)
	if !p.DisableRewrite || !p.DisableUserAwareness || !p.DisableLogClick || p.Port != 8443 ||
		p.URL() != "https://intranet.example.com:8443/sso" {
		t.Fatalf("permit entry = %+v (URL %s)", p, p.URL())
	}

	_, err := e.c.CreateManagedURL(ctx(t), permit)
	var ae *mimecast.APIError
	if !errors.As(err, &ae) || !ae.Has("err_managed_url_exists_code") {
		t.Errorf("duplicate: err = %v, want err_managed_url_exists_code", err)
	}

	only := get(e.c.ManagedURLs(ctx(t), mimecast.ManagedURLFilter{DomainOrURL: "billing-notice.top", ExactMatch: true}, mimecast.ListOptions{}))(t)
	if len(only) != 1 || only[0].ID != blocked.ID {
		t.Errorf("filtered list = %+v, want the blocked entry", only)
	}
	if err := e.c.DeleteManagedURL(ctx(t), blocked.ID); err != nil {
		t.Fatal(err)
	}
	if err := e.c.DeleteManagedURL(ctx(t), blocked.ID); !errors.Is(err, mimecast.ErrNotFound) {
		t.Errorf("second delete: err = %v, want ErrNotFound", err)
	}
	if got := e.srv.ManagedURLs(); len(got) != 1 || got[0].ID != p.ID {
		t.Errorf("server state = %+v, want only the permit entry", got)
	}
}

func TestManagedURLSpecIsChecked(t *testing.T) {
	e := setup(t, mimecast.AuthOAuth2)
	for _, spec := range []mimecast.ManagedURLSpec{
		{URL: "https://x.example/#frag", Action: mimecast.URLBlock},
		{URL: "https://x.example/", Action: "deny"},
		{URL: "https://x.example/", Action: mimecast.URLBlock, MatchType: "prefix"},
		{URL: "https://x.example/", Action: mimecast.URLBlock, DisableRewrite: true},
		{URL: "", Action: mimecast.URLBlock},
	} {
		var ve *mimecast.ValidationError
		if _, err := e.c.CreateManagedURL(ctx(t), spec); !errors.As(err, &ve) {
			t.Errorf("CreateManagedURL(%+v) err = %v, want *ValidationError", spec, err)
		}
	}
}

func TestDecodeURL(t *testing.T) {
	e := setup(t, mimecast.AuthHMAC)
	orig := "http://billing-notice.top/login?inv=7731&u=j.doe"
	got := get(e.c.DecodeURL(ctx(t), mimecasttest.EncodeURL(orig)))(t)
	if got != orig {
		t.Errorf("DecodeURL = %q, want %q", got, orig)
	}
	_, err := e.c.DecodeURL(ctx(t), "https://example.com/not-rewritten")
	var ae *mimecast.APIError
	if !errors.As(err, &ae) || len(ae.Codes()) == 0 {
		t.Errorf("undecodable: err = %v, want *APIError with a code", err)
	}
}
