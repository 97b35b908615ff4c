package block

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mailtriage/mailtriage/backend/fortimail"
	"github.com/mailtriage/mailtriage/backend/fortimail/fortimailtest"
	"github.com/mailtriage/mailtriage/backend/mimecast"
	"github.com/mailtriage/mailtriage/backend/mimecast/mimecasttest"
)

func gateways(t *testing.T) Gateways {
	t.Helper()
	mc := mimecasttest.New(mimecasttest.Options{})
	t.Cleanup(mc.Close)
	mc.Seed(mimecasttest.SampleData(time.Now()))
	cred := mc.Credentials()
	secret := func(s string) mimecast.SecretFunc { return func(context.Context) (string, error) { return s, nil } }
	mcc, err := mimecast.New(mimecast.Options{BaseURL: mc.URL(), Auth: mimecast.AuthHMAC, AppID: cred.AppID, AppKey: secret(cred.AppKey), AccessKey: cred.AccessKey, SecretKey: secret(cred.SecretKey)})
	if err != nil {
		t.Fatal(err)
	}
	fm := fortimailtest.New(fortimailtest.Options{})
	t.Cleanup(fm.Close)
	fm.Seed(fortimailtest.DefaultSeed())
	fmc, err := fortimail.New(fortimail.Options{URL: fm.URL(), Username: fm.Username(), Password: func(context.Context) (string, error) { return fm.Password(), nil }})
	if err != nil {
		t.Fatal(err)
	}
	return Gateways{Mimecast: mcc, FortiMail: fmc}
}

var senders = []Sender{
	{Address: "Billing@Evil.example", Recipient: "ap@example.com"},
	{Address: "billing@evil.example", Recipient: "ap@example.com"},
	{Address: "ceo@evil.example", Recipient: "cfo@example.com"},
}

func TestFortiMailSystemBlockAndUndo(t *testing.T) {
	g := gateways(t)
	ctx := context.Background()
	p, err := NewPlan(Option{Method: FortiSystemDomain, Label: "domain"}, senders, "phish")
	if err != nil || !slices.Equal(p.Entries, []string{"*@evil.example"}) {
		t.Fatalf("plan %+v %v", p, err)
	}
	a, err := Apply(ctx, g, p)
	if err != nil {
		t.Fatal(err)
	}
	list, _ := g.FortiMail.SenderList(ctx, "", fortimail.BlockList)
	if !slices.Contains(list, "*@evil.example") {
		t.Fatalf("block list %q", list)
	}
	// Applying again adds nothing, so its undo removes nothing.
	again, err := Apply(ctx, g, p)
	if err != nil || len(again.Added) != 0 {
		t.Fatalf("second apply %+v %v", again, err)
	}
	if err := Undo(ctx, g, again); err != nil {
		t.Fatal(err)
	}
	if list, _ := g.FortiMail.SenderList(ctx, "", fortimail.BlockList); !slices.Contains(list, "*@evil.example") {
		t.Fatal("an undo of nothing removed the entry")
	}
	if err := Undo(ctx, g, a); err != nil {
		t.Fatal(err)
	}
	if list, _ := g.FortiMail.SenderList(ctx, "", fortimail.BlockList); slices.Contains(list, "*@evil.example") {
		t.Fatal("undo left the entry")
	}
}

func TestFortiMailSessionProfileBlock(t *testing.T) {
	g := gateways(t)
	ctx := context.Background()
	profiles, err := g.FortiMail.ProfileNames(ctx, fortimail.SessionProfiles)
	if err != nil || len(profiles) == 0 {
		t.Fatalf("profiles %v %v", profiles, err)
	}
	opts := Options(g, profiles)
	i := slices.IndexFunc(opts, func(o Option) bool { return o.Method == FortiSession })
	p, _ := NewPlan(opts[i], senders, "")
	a, err := Apply(ctx, g, p)
	if err != nil || len(a.Added) != 2 {
		t.Fatalf("apply %+v %v", a, err)
	}
	entries, _ := g.FortiMail.SessionListEntries(ctx, opts[i].Profile, fortimail.SessionSenderBlockList)
	if !slices.Contains(entries, "ceo@evil.example") {
		t.Fatalf("entries %q", entries)
	}
	if err := Undo(ctx, g, a); err != nil {
		t.Fatal(err)
	}
	entries, _ = g.FortiMail.SessionListEntries(ctx, opts[i].Profile, fortimail.SessionSenderBlockList)
	if slices.Contains(entries, "ceo@evil.example") {
		t.Fatal("undo left the entry")
	}
}

func TestMimecastManagedAndPolicyBlocks(t *testing.T) {
	g := gateways(t)
	ctx := context.Background()
	p, _ := NewPlan(Option{Method: MimecastManaged}, senders, "")
	if len(p.Pairs) != 2 {
		t.Fatalf("pairs %+v", p.Pairs)
	}
	a, err := Apply(ctx, g, p)
	if err != nil {
		t.Fatal(err)
	}
	ms, _ := g.Mimecast.ManagedSenders(ctx, mimecast.ListOptions{})
	if !slices.ContainsFunc(ms, func(m mimecast.ManagedSender) bool { return m.Sender == "ceo@evil.example" && m.Blocked() }) {
		t.Fatalf("managed senders %+v", ms)
	}
	if err := Undo(ctx, g, a); err != nil {
		t.Fatal(err)
	}
	pp, _ := NewPlan(Option{Method: MimecastPolicyDomain}, senders, "campaign 42")
	pa, err := Apply(ctx, g, pp)
	if err != nil || len(pa.Policies) != 1 {
		t.Fatalf("policy apply %+v %v", pa, err)
	}
	pol, err := g.Mimecast.Policy(ctx, pa.Policies[0])
	if err != nil || !strings.Contains(pol.Description, "campaign 42") {
		t.Fatalf("policy %+v %v", pol, err)
	}
	if err := Undo(ctx, g, pa); err != nil {
		t.Fatal(err)
	}
	if _, err := g.Mimecast.Policy(ctx, pa.Policies[0]); err == nil {
		t.Fatal("undo left the policy")
	}
}

func TestPlanRefusesJunkAddresses(t *testing.T) {
	for _, s := range []Sender{{Address: "no-at-sign"}, {Address: "a@b\r\nX: y"}, {Address: "<a@b>"}} {
		if _, err := NewPlan(Option{Method: FortiSystem}, []Sender{s}, ""); err == nil {
			t.Errorf("%q accepted", s.Address)
		}
	}
	if _, err := NewPlan(Option{Method: MimecastManaged}, []Sender{{Address: "a@b.example"}}, ""); err == nil {
		t.Error("managed sender without recipient accepted")
	}
}
