package fortimail_test

import (
	"encoding/json"
	"errors"
	"net/http"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/mailtriage/mailtriage/backend/fortimail"
	"github.com/mailtriage/mailtriage/backend/fortimail/fortimailtest"
)

func TestDomainsListedAndFetched(t *testing.T) {
	_, c := start(t, fortimailtest.Options{})
	domains, err := c.ListDomains(ctx)
	mustOK(t, err)
	var names []string
	for _, d := range domains {
		names = append(names, d.Name)
	}
	if want := []string{"example.com", "example.org", "mail.example.net"}; !reflect.DeepEqual(names, want) {
		t.Fatalf("domains %v, want %v", names, want)
	}
	d, err := c.GetDomain(ctx, "mail.example.net")
	mustOK(t, err)
	if d.Host != "198.51.100.10" || d.Port != 465 || !d.UseSSL || !d.IsSubdomain || d.MainDomain != "example.net" {
		t.Errorf("domain %+v", d)
	}
	if _, ok := d.Extra["global_bayesian"]; !ok {
		t.Error("unmodelled domain settings were dropped")
	}
}

func TestSessionProfileLifecycle(t *testing.T) {
	srv, c := start(t, fortimailtest.Options{})
	p := fortimail.NewSessionProfile("Triage_Test")
	p.Comment = "created by a test"
	p.ConnConcurrent = 3
	p.EndpointReputation = true
	p.EndpointReputationAction = fortimail.EndpointMonitor
	p.SPF = fortimail.SPFBypass
	p.Action = "Reject"
	p.MessageSelection = fortimail.AcceptedMessages
	p.RecipientBlockList = true
	created, err := c.CreateSessionProfile(ctx, p)
	mustOK(t, err)
	if d := fortimail.Diff(p, withoutExtra(created)); len(d) != 0 {
		t.Errorf("created profile differs from what was sent: %v", d)
	}

	names, err := c.ProfileNames(ctx, fortimail.SessionProfiles)
	mustOK(t, err)
	if !slices.Contains(names, "Triage_Test") {
		t.Errorf("new profile not listed: %v", names)
	}
	got, err := c.GetSessionProfile(ctx, "Triage_Test")
	mustOK(t, err)
	if got.ConnConcurrent != 3 || got.SPF != fortimail.SPFBypass || got.EndpointReputationAction != fortimail.EndpointMonitor || got.Action != "Reject" {
		t.Errorf("fetched profile %+v", got)
	}

	mustOK(t, c.DeleteSessionProfile(ctx, "Triage_Test"))
	if _, err := c.GetSessionProfile(ctx, "Triage_Test"); !errors.Is(err, fortimail.ErrNotFound) {
		t.Errorf("deleted profile: %v, want ErrNotFound", err)
	}
	if len(requests(srv, http.MethodDelete, "ProfSession/Triage_Test")) != 1 {
		t.Error("no DELETE went out")
	}
}

func TestSessionProfileUpdateSendsOnlyChangedFields(t *testing.T) {
	srv, c := start(t, fortimailtest.Options{})
	old, err := c.GetSessionProfile(ctx, "Strict_Inbound")
	mustOK(t, err)
	if _, ok := old.Extra["limit_helos"]; !ok {
		t.Fatal("the emulator should send unmodelled keys such as limit_helos")
	}
	edited := old
	edited.ConnIdleTimeout = 60
	edited.EOMAck = true
	mustOK(t, fortimail.SetField(&edited, "limit_helos", 5)) // not modelled: kept in Extra
	changes := fortimail.Diff(old, edited)

	srv.ResetRequests()
	updated, err := c.UpdateSessionProfile(ctx, "Strict_Inbound", changes)
	mustOK(t, err)

	puts := requests(srv, http.MethodPut, "ProfSession/Strict_Inbound")
	if len(puts) != 1 {
		t.Fatalf("%d PUTs, want 1", len(puts))
	}
	body := puts[0].Fields()
	if keys := sortedKeys(body); !reflect.DeepEqual(keys, []string{"conn_idle_timeout", "eom_ack", "limit_helos"}) {
		t.Errorf("PUT carried %v, want only the three changed fields", keys)
	}
	if body["conn_idle_timeout"] != float64(60) || body["eom_ack"] != true || body["limit_helos"] != float64(5) {
		t.Errorf("PUT body %v", body)
	}
	if updated.ConnIdleTimeout != 60 || !updated.EOMAck || updated.ConnConcurrent != 5 || updated.Action != "SystemQuarantine" {
		t.Errorf("updated profile lost or missed values: %+v", updated)
	}
	if d := fortimail.Diff(edited, updated); len(d) != 0 {
		t.Errorf("the appliance's copy differs from the edit: %v", d)
	}
}

func TestUpdateWithoutChangesSendsNothing(t *testing.T) {
	srv, c := start(t, fortimailtest.Options{})
	_, err := c.UpdateSessionProfile(ctx, "Inbound_Session", nil)
	if !errors.Is(err, fortimail.ErrNoChanges) {
		t.Errorf("error %v, want ErrNoChanges", err)
	}
	if len(requests(srv, http.MethodPut, "")) != 0 {
		t.Error("a PUT went out")
	}
}

func TestEditsKeepFieldsThisPackageDoesNotKnow(t *testing.T) {
	srv := fortimailtest.New(fortimailtest.Options{})
	t.Cleanup(srv.Close)
	seed := fortimailtest.DefaultSeed()
	seed.AntispamProfiles["system"][0]["x_future_scanner"] = map[string]any{"level": 3}
	srv.Seed(seed)
	c := newClient(t, srv, nil)

	old, err := c.GetAntispamProfile(ctx, "", "AS_Inbound")
	mustOK(t, err)
	edited := old
	edited.BehaviourAnalysis = true
	edited.BehaviourAnalysisAction = fortimail.ActionSystemQuarantine
	_, err = c.UpdateAntispamProfile(ctx, "", "AS_Inbound", fortimail.Diff(old, edited))
	mustOK(t, err)

	stored := srv.Snapshot().AntispamProfiles["system"][0]
	if stored["mkey"] != "AS_Inbound" || !reflect.DeepEqual(stored["x_future_scanner"], map[string]any{"level": json.Number("3")}) {
		t.Errorf("unknown field after the edit: %v", stored["x_future_scanner"])
	}
	if stored["behavior_analysis"] != true || stored["greylist"] != true {
		t.Errorf("stored profile %v", stored)
	}
}

func TestAntispamProfileLifecycle(t *testing.T) {
	for _, domain := range []string{"", "example.com"} {
		t.Run("domain="+domain, func(t *testing.T) {
			srv, c := start(t, fortimailtest.Options{})
			p := fortimail.NewAntispamProfile("AS_Triage")
			p.DefaultAction = fortimail.ActionSystemQuarantine
			p.Greylist = true
			p.SPF, p.SPFFail, p.SPFFailAction = true, true, fortimail.ActionReject
			p.SPFSoftFail, p.SPFSoftFailAction = true, fortimail.ActionTagSubject
			p.SPFSenderAlignment, p.SPFSenderAlignmentAction = true, fortimail.ActionNone
			p.SPFPermError, p.SPFPermErrorAction = true, fortimail.ActionDiscard
			p.SPFTempError, p.SPFTempErrorAction = true, fortimail.ActionDefault
			p.SPFPass, p.SPFNeutral, p.SPFNone = true, true, true
			p.SPFNoneAction = fortimail.ActionUserQuarantine
			p.DMARC, p.DMARCAction = true, fortimail.ActionReject
			p.BehaviourAnalysis, p.BehaviourAnalysisAction = true, fortimail.ActionTagSubject
			p.HeaderAnalysis, p.HeaderCheckIP, p.HeaderAnalysisAction = true, true, fortimail.ActionTagSubject
			p.ImageSpam, p.ImageSpamAction, p.ImageSpamAggressive = true, "TagSubjectSuspicious", true
			created, err := c.CreateAntispamProfile(ctx, domain, p)
			mustOK(t, err)
			if d := fortimail.Diff(p, withoutExtraAS(created)); len(d) != 0 {
				t.Errorf("created profile differs from what was sent: %v", d)
			}
			list, err := c.ListAntispamProfiles(ctx, domain)
			mustOK(t, err)
			if !slices.ContainsFunc(list, func(s fortimail.ProfileSummary) bool { return s.Name == "AS_Triage" }) {
				t.Errorf("new profile not listed: %+v", list)
			}

			edited := created
			edited.DMARCAction = fortimail.ActionSystemQuarantine
			updated, err := c.UpdateAntispamProfile(ctx, domain, "AS_Triage", fortimail.Diff(created, edited))
			mustOK(t, err)
			if updated.DMARCAction != fortimail.ActionSystemQuarantine || !updated.ImageSpamAggressive {
				t.Errorf("updated %+v", updated)
			}
			puts := requests(srv, http.MethodPut, "ProfAntispam/AS_Triage")
			if len(puts) != 1 || !reflect.DeepEqual(sortedKeys(puts[0].Fields()), []string{"action_dmarc"}) {
				t.Errorf("PUT bodies %v", puts)
			}

			mustOK(t, c.DeleteAntispamProfile(ctx, domain, "AS_Triage"))
			if _, err := c.GetAntispamProfile(ctx, domain, "AS_Triage"); !errors.Is(err, fortimail.ErrNotFound) {
				t.Errorf("deleted profile: %v", err)
			}
		})
	}
}

func TestAntispamProfilesOfADomainAndTheirUse(t *testing.T) {
	_, c := start(t, fortimailtest.Options{})
	list, err := c.ListAntispamProfiles(ctx, "example.com")
	mustOK(t, err)
	if len(list) != 1 || list[0].Name != "AS_Finance" || list[0].Domain != "example.com" || list[0].References != 1 {
		t.Fatalf("example.com antispam profiles %+v", list)
	}
	if _, ok := list[0].Extra["dictionary_type"]; !ok {
		t.Error("summary keys beyond the modelled ones were dropped")
	}
	names, err := c.ProfileNames(ctx, fortimail.AntispamProfiles)
	mustOK(t, err)
	if want := []string{"AS_Inbound", "AS_Inbound_High", "AS_Outbound"}; !reflect.DeepEqual(names, want) {
		t.Errorf("system antispam names %v, want %v", names, want)
	}
	err = c.DeleteAntispamProfile(ctx, "", "AS_Inbound")
	if err == nil || !strings.Contains(err.Error(), "referenced") {
		t.Errorf("deleting a profile in use: %v", err)
	}
}

func TestRecipientPolicies(t *testing.T) {
	_, c := start(t, fortimailtest.Options{})
	policies, err := c.ListRecipientPolicies(ctx, "example.com")
	mustOK(t, err)
	if len(policies) != 3 {
		t.Fatalf("%d policies, want 3", len(policies))
	}
	in := policies[0]
	if in.ID != 1 || in.Direction != fortimail.Inbound || in.AntispamProfile != "AS_Inbound@system" || !in.Enabled || in.Domain != "example.com" {
		t.Errorf("first policy %+v", in)
	}
	p, err := c.GetRecipientPolicy(ctx, "example.com", 3)
	mustOK(t, err)
	if p.Direction != fortimail.Outbound || p.SenderDomain != "example.com" || p.Direction.String() != "outbound" {
		t.Errorf("policy 3 %+v", p)
	}
	system, err := c.ListRecipientPolicies(ctx, "")
	mustOK(t, err)
	if len(system) != 0 {
		t.Errorf("system policies %+v, want none", system)
	}
}

func TestGreylists(t *testing.T) {
	_, c := start(t, fortimailtest.Options{})
	grey, err := c.ListGreylist(ctx)
	mustOK(t, err)
	if len(grey) != 3 || grey[0].Key != "1" || grey[0].Fields["sender"] != "news@promo.example.net" {
		t.Errorf("greylist %+v", grey)
	}
	exempt, err := c.ListAutoExemptGreylist(ctx)
	mustOK(t, err)
	if len(exempt) != 2 {
		t.Errorf("auto-exempt greylist %+v", exempt)
	}
}

func withoutExtra(p fortimail.SessionProfile) fortimail.SessionProfile {
	p.Extra = nil
	return p
}

func withoutExtraAS(p fortimail.AntispamProfile) fortimail.AntispamProfile {
	p.Extra = nil
	return p
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
