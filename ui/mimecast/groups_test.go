package mimecast

import (
	"strings"
	"testing"

	"github.com/mailtriage/mailtriage/backend/mimecast/mimecasttest"
)

func TestFindGroupsBySource(t *testing.T) {
	seed := sample()
	seed.Groups = append(seed.Groups, mimecasttest.Group{Description: "Finance (directory)", Source: "ldap"})
	h := newHarness(t, 120, 30, seed)
	h.tab("Groups")
	h.see("Profile groups · 3 groups", "VIP users", "Finance (directory)")
	h.press("/", "tab", "right", "right") // source: any → cloud → LDAP
	h.see("Source", "‹ LDAP ›")
	h.press("enter")
	h.noErrors()
	h.see("Profile groups · source ldap · 1 group", "Finance (directory)")
	if s := h.screen(); strings.Contains(s, "VIP users") {
		t.Errorf("a cloud group is listed under source ldap:\n%s", s)
	}
	h.press("/", "tab", "left") // back to cloud
	h.press("enter")
	h.see("Profile groups · source cloud · 2 groups", "VIP users", "Trusted partners")
}

func TestEditGroupRenamesItAudited(t *testing.T) {
	h := newHarness(t, 120, 30, sample())
	h.tab("Groups")
	h.press("e")
	h.see("Edit group VIP users", "Name (description)", "Parent group id")
	h.press("enter")
	h.see("✗ nothing changed")
	h.press("ctrl+u")
	h.press("enter")
	h.see("✗ name: required")
	h.typeText("Executives")
	h.press("enter")
	h.noErrors()
	h.see("Profile groups · 2 groups", "Executives")
	if got := strings.Join(h.infos, "\n"); !strings.Contains(got, "updated group Executives") {
		t.Errorf("status said %q, want the update", got)
	}
	if got := h.srv.Groups()[0].Description; got != "Executives" {
		t.Fatalf("server group is named %q, want Executives", got)
	}
	h.audited("update-group")
}
