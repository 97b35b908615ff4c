package mimecast_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/mailtriage/mailtriage/backend/mimecast"
	"github.com/mailtriage/mailtriage/backend/mimecast/mimecasttest"
)

func TestGroupLifecycle(t *testing.T) {
	e := setup(t, mimecast.AuthOAuth2)
	root := get(e.c.CreateGroup(ctx(t), "SOC watch", ""))(t)
	child := get(e.c.CreateGroup(ctx(t), "SOC watch / finance", root.ID))(t)
	if child.ParentID != root.ID || child.Source != "cloud" {
		t.Fatalf("child = %+v, want parent %s, source cloud", child, root.ID)
	}

	found := get(e.c.FindGroups(ctx(t), mimecast.GroupQuery{Query: "finance"}, mimecast.ListOptions{}))(t)
	if len(found) != 1 || found[0].ID != child.ID {
		t.Fatalf("FindGroups(finance) = %+v, want the child only", found)
	}
	all := get(e.c.FindGroups(ctx(t), mimecast.GroupQuery{}, mimecast.ListOptions{}))(t)
	if len(all) != 2 || all[0].FolderCount != 1 {
		t.Fatalf("FindGroups() = %+v, want 2 groups, the root with 1 subgroup", all)
	}

	renamed := get(e.c.UpdateGroup(ctx(t), mimecast.GroupUpdate{ID: child.ID, Description: "Finance watch"}))(t)
	if renamed.Description != "Finance watch" || renamed.ParentID != root.ID {
		t.Errorf("after rename: %+v", renamed)
	}

	if err := e.c.DeleteGroup(ctx(t), child.ID); err != nil {
		t.Fatal(err)
	}
	if err := e.c.DeleteGroup(ctx(t), child.ID); !errors.Is(err, mimecast.ErrNotFound) {
		t.Errorf("second delete: err = %v, want ErrNotFound", err)
	}
	if n := len(e.srv.Groups()); n != 1 {
		t.Errorf("server holds %d groups, want 1", n)
	}
}

func TestAddGroupMembersBatchesByHundred(t *testing.T) {
	e := setup(t, mimecast.AuthHMAC, func(so *mimecasttest.Options, _ *mimecast.Options) { so.MaxPageSize = 40 })
	g := get(e.c.CreateGroup(ctx(t), "Bulk", ""))(t)
	var refs []mimecast.MemberRef
	for i := range 249 {
		refs = append(refs, mimecast.ParseMemberRef(fmt.Sprintf("user%03d@example.com", i)))
	}
	refs = append(refs, mimecast.ParseMemberRef("partner.example.net"))

	changes := get(e.c.AddGroupMembers(ctx(t), g.ID, refs))(t)
	if len(changes) != 250 {
		t.Fatalf("%d changes, want 250", len(changes))
	}
	if n := e.srv.Requests("/api/directory/add-group-member"); n != 3 {
		t.Errorf("%d add calls, want 3 (100+100+50)", n)
	}
	members := get(e.c.GroupMembers(ctx(t), g.ID, mimecast.ListOptions{}))(t)
	if len(members) != 250 || members[249].Domain != "partner.example.net" || !members[0].Internal {
		t.Fatalf("GroupMembers: %d members, last %+v", len(members), members[len(members)-1])
	}
	if n := e.srv.Requests("/api/directory/get-group-members"); n != 7 {
		t.Errorf("%d member pages fetched, want 7 (40 a page)", n)
	}
}

func TestAddExistingMemberIsNotAnError(t *testing.T) {
	e := setup(t, mimecast.AuthOAuth2)
	g := get(e.c.CreateGroup(ctx(t), "VIP", ""))(t)
	ceo := mimecast.MemberRef{EmailAddress: "ceo@example.com", Notes: "board"}
	get(e.c.AddGroupMembers(ctx(t), g.ID, []mimecast.MemberRef{ceo}))(t)
	changes, err := e.c.AddGroupMembers(ctx(t), g.ID, []mimecast.MemberRef{ceo, {EmailAddress: "cfo@example.com"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(changes) != 2 {
		t.Fatalf("changes = %+v, want 2", changes)
	}
	already := 0
	for _, c := range changes {
		if c.AlreadyMember {
			already++
			if c.EmailAddress != "ceo@example.com" {
				t.Errorf("already-member change names %q, want ceo@example.com", c.EmailAddress)
			}
		}
	}
	if already != 1 {
		t.Errorf("%d changes marked AlreadyMember, want 1", already)
	}
}

func TestRemoveGroupMember(t *testing.T) {
	e := setup(t, mimecast.AuthOAuth2)
	g := get(e.c.CreateGroup(ctx(t), "VIP", ""))(t)
	dom := mimecast.MemberRef{Domain: "partner.example.net"}
	get(e.c.AddGroupMembers(ctx(t), g.ID, []mimecast.MemberRef{dom}))(t)
	ch := get(e.c.RemoveGroupMember(ctx(t), g.ID, dom))(t)
	if ch.GroupID != g.ID || ch.Domain != "partner.example.net" {
		t.Errorf("change = %+v", ch)
	}
	_, err := e.c.RemoveGroupMember(ctx(t), g.ID, dom)
	var ae *mimecast.APIError
	if !errors.As(err, &ae) || !ae.Has("err_folder_email_address_not_found") || len(ae.Failures[0].Key) == 0 {
		t.Errorf("removing a non-member: err = %v, want fail[] err_folder_email_address_not_found with key", err)
	}
	if _, err := e.c.RemoveGroupMember(ctx(t), g.ID, mimecast.MemberRef{}); err == nil {
		t.Error("empty member ref accepted")
	}
}

func TestAddMembersReportsOtherFailuresBesideSuccesses(t *testing.T) {
	e := setup(t, mimecast.AuthOAuth2)
	_, err := e.c.AddGroupMembers(ctx(t), "eNoNoSuchGroup", []mimecast.MemberRef{{EmailAddress: "a@example.com"}})
	var ae *mimecast.APIError
	if !errors.As(err, &ae) || !ae.Has("err_folder_not_found") {
		t.Errorf("err = %v, want fail[] err_folder_not_found", err)
	}
}
