package remediate

import (
	"context"
	"errors"
	"strings"
	"testing"
)

func TestRoleAllows(t *testing.T) {
	tests := []struct {
		action                   Action
		viewer, responder, admin bool
	}{
		{Move, false, true, true},
		{Trash, false, true, true},
		{Delete, false, true, true},
		{Tag, false, true, true},
		{RevertFlags, false, true, true},
		{Report, false, true, true},
		{"block-sender", false, true, true},
		{"unblock-sender", false, true, true},
		{"mimecast-block-sender", false, true, true},
		{"mimecast-permit-url", false, true, true},
		{"mimecast-delete-managed-url", false, true, true},
		{"mimecast-release-held", false, true, true},
		{"fortimail-add-to-sender-list", false, true, true},
		{"fortimail-remove-from-sender-list", false, true, true},
		{"mimecast-create-policy", false, false, true},
		{"mimecast-add-group-members", false, false, true},
		{"fortimail-update-antispam-profile", false, false, true},
		{"fortimail-add-to-session-list", false, false, true},
		{"launch-missiles", false, false, true},
	}
	for _, tt := range tests {
		for role, want := range map[string]bool{RoleViewer: tt.viewer, RoleResponder: tt.responder, RoleAdmin: tt.admin} {
			err := RoleAllows(role, tt.action)
			if (err == nil) != want {
				t.Errorf("RoleAllows(%s, %s) = %v, want allowed %v", role, tt.action, err, want)
			}
		}
	}
	if err := RoleAllows("root", Read); err == nil {
		t.Error("an unknown role was allowed to read")
	}
}

func TestRoleRefusalSaysWhoMayNotDoWhat(t *testing.T) {
	err := RoleAllows(RoleViewer, Move)
	if err == nil || err.Error() != "role viewer may not move messages" {
		t.Fatalf("got %v", err)
	}
	err = RoleAllows(RoleResponder, "mimecast-create-policy")
	if err == nil || err.Error() != "role responder may not create policy on Mimecast" {
		t.Fatalf("got %v", err)
	}
}

func TestAuditedRefusedByRoleWritesNothing(t *testing.T) {
	s, box, l := setup(t, 1)
	s.Allow = func(a Action) error { return RoleAllows(RoleViewer, a) }
	ran := false
	err := s.Audited(context.Background(), Request{Box: box, Action: "mimecast-block-sender", Folder: l.Folder, UIDs: l.UIDs}, "x",
		func(context.Context) error { ran = true; return nil })
	if err == nil || ran {
		t.Fatalf("viewer's block ran (%v)", err)
	}
	if recs, _ := s.Audit.Recent(5); len(recs) != 0 {
		t.Fatalf("refusal audited: %+v", recs)
	}
	if err := s.Check(Move); err == nil {
		t.Fatal("Check let a viewer move")
	}
	var nilSvc *Service
	if err := nilSvc.Check(Move); err != nil {
		t.Fatalf("nil service: %v", err)
	}
}

func TestInterruptedJobResultSaysWhy(t *testing.T) {
	s, box, l := setup(t, 4)
	ctx, cancel := context.WithCancelCause(context.Background())
	cancel(errors.New("session ended: mailtriage is shutting down"))
	_, err := s.Do(ctx, Request{Box: box, Action: Move, Folder: l.Folder, UIDs: l.UIDs, Dest: "Junk"}, nil)
	if err == nil {
		t.Fatal("a cancelled move succeeded")
	}
	recs, _ := s.Audit.Recent(1)
	if len(recs) != 1 || recs[0].Result != "failed" || !strings.Contains(recs[0].Error, "shutting down") {
		t.Fatalf("result record %+v", recs)
	}
}
