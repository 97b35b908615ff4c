package mimecast_test

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/mailtriage/mailtriage/backend/mimecast"
)

func TestBlockedSenderPolicyLifecycle(t *testing.T) {
	for _, mode := range bothModes {
		t.Run(string(mode), func(t *testing.T) {
			e := setup(t, mode)
			spec := mimecast.PolicySpec{
				Option: mimecast.OptionBlockSender, Description: "phish campaign 42",
				FromType: mimecast.EmailDomain, FromValue: "evil.example", FromPart: mimecast.BothFrom,
				ToType: mimecast.IndividualEmailAddress, ToValue: "ceo@example.com",
				SourceIPs: []string{"203.0.113.0/24", "2001:db8::/32"}, Comment: "ticket 7",
				FromDate: time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC),
			}
			p := get(e.c.CreatePolicy(ctx(t), spec))(t)
			if p.ID == "" || p.From.EmailDomain != "evil.example" || p.To.EmailAddress != "ceo@example.com" ||
				p.FromPart != mimecast.BothFrom || !slices.Equal(p.SourceIPs, spec.SourceIPs) ||
				p.FromEternal || !p.ToEternal || !p.FromDate.Equal(spec.FromDate) || p.Comment != "ticket 7" {
				t.Fatalf("created policy = %+v, want the spec's fields", p)
			}

			all := get(e.c.Policies(ctx(t), mimecast.ListOptions{}))(t)
			if len(all) != 1 || all[0].ID != p.ID {
				t.Fatalf("Policies = %+v, want the created one", all)
			}

			spec.Option, spec.Description, spec.ToType, spec.ToValue = mimecast.OptionNoAction, "observe only", mimecast.Everyone, ""
			u := get(e.c.UpdatePolicy(ctx(t), p.ID, spec))(t)
			got := get(e.c.Policy(ctx(t), p.ID))(t)
			if u.ID != p.ID || got.Option != mimecast.OptionNoAction || got.Description != "observe only" || got.To.Type != mimecast.Everyone {
				t.Fatalf("after update: %+v, want no_action/observe only/everyone", got)
			}
			if n := len(e.srv.Policies()); n != 1 {
				t.Errorf("server holds %d policies after update, want 1 (updated in place)", n)
			}

			if err := e.c.DeletePolicy(ctx(t), p.ID); err != nil {
				t.Fatal(err)
			}
			if _, err := e.c.Policy(ctx(t), p.ID); !errors.Is(err, mimecast.ErrNotFound) {
				t.Errorf("Policy after delete: err = %v, want ErrNotFound", err)
			}
			if err := e.c.DeletePolicy(ctx(t), p.ID); !errors.Is(err, mimecast.ErrNotFound) {
				t.Errorf("second delete: err = %v, want ErrNotFound", err)
			}
		})
	}
}

func TestPolicySpecIsCheckedBeforeSending(t *testing.T) {
	good := mimecast.PolicySpec{Option: mimecast.OptionBlockSender, Description: "d",
		FromType: mimecast.IndividualEmailAddress, FromValue: "a@evil.example"}
	tests := []struct {
		name string
		edit func(*mimecast.PolicySpec)
	}{
		{"bare IP is not CIDR", func(s *mimecast.PolicySpec) { s.SourceIPs = []string{"203.0.113.7"} }},
		{"garbage CIDR", func(s *mimecast.PolicySpec) { s.SourceIPs = []string{"10.0.0.0/33"} }},
		{"host bits set", func(s *mimecast.PolicySpec) { s.SourceIPs = []string{"10.1.2.3/8"} }},
		{"no description", func(s *mimecast.PolicySpec) { s.Description = " " }},
		{"unknown option", func(s *mimecast.PolicySpec) { s.Option = "block" }},
		{"domain with @", func(s *mimecast.PolicySpec) { s.FromType, s.FromValue = mimecast.EmailDomain, "@evil.example" }},
		{"group without id", func(s *mimecast.PolicySpec) { s.FromType, s.FromValue = mimecast.ProfileGroup, "" }},
		{"address not an address", func(s *mimecast.PolicySpec) { s.FromValue = "evil.example" }},
		{"receiver value missing", func(s *mimecast.PolicySpec) { s.ToType = mimecast.EmailDomain }},
		{"dates reversed", func(s *mimecast.PolicySpec) {
			s.FromDate, s.ToDate = time.Now(), time.Now().Add(-time.Hour)
		}},
	}
	e := setup(t, mimecast.AuthOAuth2)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			spec := good
			tt.edit(&spec)
			_, err := e.c.CreatePolicy(ctx(t), spec)
			var ve *mimecast.ValidationError
			if !errors.As(err, &ve) {
				t.Errorf("err = %v, want *ValidationError", err)
			}
		})
	}
	if n := e.srv.Requests("/api/policy/blockedsenders/create-policy"); n != 0 {
		t.Errorf("%d create requests reached the server, want 0", n)
	}
}

func TestPolicyOnProfileGroupUsesTheGroupID(t *testing.T) {
	e := setup(t, mimecast.AuthHMAC)
	g := get(e.c.CreateGroup(ctx(t), "Blocked partners", ""))(t)
	p := get(e.c.CreatePolicy(ctx(t), mimecast.PolicySpec{Option: mimecast.OptionBlockSender,
		Description: "group block", FromType: mimecast.ProfileGroup, FromValue: g.ID}))(t)
	if p.From.GroupID != g.ID || p.From.Value() != g.ID {
		t.Errorf("policy from = %+v, want group %s", p.From, g.ID)
	}
	_, err := e.c.CreatePolicy(ctx(t), mimecast.PolicySpec{Option: mimecast.OptionBlockSender,
		Description: "bad group", FromType: mimecast.ProfileGroup, FromValue: "eNoNoSuchGroup"})
	var ae *mimecast.APIError
	if !errors.As(err, &ae) || !ae.Has("err_folder_not_found") {
		t.Errorf("err = %v, want fail[] err_folder_not_found", err)
	}
}
