package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mailtriage/mailtriage/backend/action"
	"github.com/mailtriage/mailtriage/backend/fortimail/fortimailtest"
	"github.com/mailtriage/mailtriage/backend/mimecast/mimecasttest"
	"github.com/mailtriage/mailtriage/backend/remediate"
)

// gatewayEnv is both emulators and a configuration pointing at them the
// way the console's is written: Mimecast signed with HMAC (or OAuth 2),
// FortiMail over HTTPS with a session cookie, secrets from the
// environment, [analysis] domains for the guardrails.
type gatewayEnv struct {
	mc      *mimecasttest.Server
	fm      *fortimailtest.Server
	cfg     string
	audit   string
	secrets []string
	ran     map[string]bool // family/op run through the command path
}

func newGatewayEnv(t *testing.T, mimecastAuth string) *gatewayEnv {
	t.Helper()
	mc := mimecasttest.New(mimecasttest.Options{})
	t.Cleanup(mc.Close)
	mc.Seed(mimecasttest.SampleData(time.Now()))
	fm := fortimailtest.New(fortimailtest.Options{TLS: true, Password: "fm-secret-pw-4711"})
	t.Cleanup(fm.Close)
	fm.Seed(fortimailtest.DefaultSeed())
	dir := t.TempDir()
	t.Setenv("XDG_STATE_HOME", filepath.Join(dir, "state"))
	cred := mc.Credentials()
	t.Setenv("MC_APP_KEY", cred.AppKey)
	t.Setenv("MC_SECRET_KEY", cred.SecretKey)
	t.Setenv("MC_CLIENT_SECRET", cred.ClientSecret)
	t.Setenv("FM_PASSWORD", fm.Password())
	audit := filepath.Join(dir, "audit.jsonl")
	cfg := `audit_log = "` + audit + `"
[mimecast]
base_url = "` + mc.URL() + `"
auth = "` + mimecastAuth + `"
app_id = "` + cred.AppID + `"
app_key_env = "MC_APP_KEY"
access_key = "` + cred.AccessKey + `"
secret_key_env = "MC_SECRET_KEY"
client_id = "` + cred.ClientID + `"
client_secret_env = "MC_CLIENT_SECRET"

[fortimail]
url = "` + fm.URL() + `"
username = "` + fm.Username() + `"
password_env = "FM_PASSWORD"
verify_tls = false

[analysis]
internal_domains = ["example.com"]
protected_domains = ["bank.example"]
`
	path := filepath.Join(dir, "config.toml")
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	return &gatewayEnv{mc: mc, fm: fm, cfg: path, audit: audit, ran: map[string]bool{},
		secrets: []string{cred.AppKey, cred.SecretKey, cred.ClientSecret, fm.Password()}}
}

// call runs `mailtriage FAMILY OP args... --config CFG` in process and
// returns stdout, stderr and the exit status.
func (e *gatewayEnv) call(t *testing.T, family, op string, args ...string) (string, string, int) {
	t.Helper()
	e.ran[family+" "+op] = true
	var out, errb bytes.Buffer
	code := run(append([]string{family, op, "--config", e.cfg}, args...), &out, &errb)
	for _, s := range e.secrets {
		if strings.Contains(out.String()+errb.String(), s) {
			t.Fatalf("%s %s: a secret is in the output", family, op)
		}
	}
	return out.String(), errb.String(), code
}

// ok runs an operation that must succeed and decodes its JSON into v.
func (e *gatewayEnv) ok(t *testing.T, v any, family, op string, args ...string) {
	t.Helper()
	out, errOut, code := e.call(t, family, op, args...)
	if code != 0 || errOut != "" {
		t.Fatalf("%s %s %v: exit %d, stderr %q", family, op, args, code, errOut)
	}
	if err := json.Unmarshal([]byte(out), v); err != nil {
		t.Fatalf("%s %s: stdout is not JSON: %v\n%s", family, op, err, out)
	}
}

// refused runs an operation that must fail with status code and one
// stderr line containing want.
func (e *gatewayEnv) refused(t *testing.T, code int, want, family, op string, args ...string) {
	t.Helper()
	out, errOut, got := e.call(t, family, op, args...)
	if got != code || out != "" || strings.Count(errOut, "\n") != 1 || !strings.Contains(errOut, want) {
		t.Fatalf("%s %s %v: exit %d, stdout %q, stderr %q; want %d and one line with %q", family, op, args, got, out, errOut, code, want)
	}
}

// mcEnvelope is the Mimecast output shape with data of type T.
type mcEnvelope[T any] struct {
	Meta struct {
		Status int `json:"status"`
	} `json:"meta"`
	Data []T              `json:"data"`
	Fail []map[string]any `json:"fail"`
}

type mcID struct {
	ID string `json:"id"`
}

// readAudit returns the audit records.
func (e *gatewayEnv) readAudit(t *testing.T) []map[string]any {
	t.Helper()
	data, err := os.ReadFile(e.audit)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range e.secrets {
		if strings.Contains(string(data), s) {
			t.Fatal("a secret is in the audit log")
		}
	}
	var out []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("audit line %q: %v", line, err)
		}
		out = append(out, rec)
	}
	return out
}

// auditHas reports an audit record of action via cli whose detail
// contains detail.
func auditHas(recs []map[string]any, action, detail string) bool {
	for _, r := range recs {
		d, _ := r["detail"].(string)
		if r["action"] == action && r["via"] == "cli" && strings.Contains(d, detail) {
			return true
		}
	}
	return false
}

// checkAllRan fails unless every operation of f was run.
func (e *gatewayEnv) checkAllRan(t *testing.T, f *gatewayFamily) {
	t.Helper()
	for _, op := range f.ops {
		if !e.ran[f.name+" "+op.name] {
			t.Errorf("%s %s was not tested", f.name, op.name)
		}
	}
}

// Every Mimecast operation through `mailtriage mimecast`, against the
// emulator with HMAC-signed requests as the console makes them.
func TestMimecastOperations(t *testing.T) {
	e := newGatewayEnv(t, "hmac")
	const mc = "mimecast"

	// Blocked-sender policies: list, one by id, create (dry run first),
	// update, delete.
	var policies mcEnvelope[policyJSON]
	e.ok(t, &policies, mc, "get-blocked-sender-policy")
	if policies.Meta.Status != 200 || len(policies.Data) == 0 || policies.Data[0].ID == "" || policies.Fail == nil {
		t.Fatalf("policies %+v", policies)
	}
	var one mcEnvelope[policyJSON]
	e.ok(t, &one, mc, "get-blocked-sender-policy", "--id", policies.Data[0].ID)
	if len(one.Data) != 1 || one.Data[0].ID != policies.Data[0].ID || one.Data[0].Policy.Description == "" {
		t.Fatalf("policy by id %+v", one)
	}
	before := len(e.mc.Policies())
	create := []string{"--description", "Block evil", "--sender-type", "Email Domain", "--sender-value", "evil.example", "--option", "Blocked Sender"}
	var dry dryRunResult
	e.ok(t, &dry, mc, "create-blocked-sender-policy", append(create, "--dry-run")...)
	if !dry.DryRun || dry.Action != "mimecast-create-policy" || len(e.mc.Policies()) != before {
		t.Fatalf("dry run %+v changed the policies (%d→%d)", dry, before, len(e.mc.Policies()))
	}
	var created mcEnvelope[policyJSON]
	e.ok(t, &created, mc, "create-blocked-sender-policy", create...)
	p := created.Data[0]
	if p.ID == "" || p.Option != "block_sender" || p.Policy.FromType != "email_domain" || p.Policy.FromValue != "evil.example" || len(e.mc.Policies()) != before+1 {
		t.Fatalf("created %+v", created)
	}
	var updated mcEnvelope[policyJSON]
	e.ok(t, &updated, mc, "update-blocked-sender-policy", "--id", p.ID, "--description", "Block evil (all)", "--sender-type", "email_domain",
		"--sender-value", "evil.example", "--addresses-based-on", "both")
	if updated.Data[0].Policy.Description != "Block evil (all)" || updated.Data[0].Policy.FromPart != "both" {
		t.Fatalf("updated %+v", updated)
	}
	var deleted mcEnvelope[map[string]any]
	e.ok(t, &deleted, mc, "delete-blocked-sender-policy", "--id", p.ID)
	if deleted.Data[0]["deleted"] != true || len(e.mc.Policies()) != before {
		t.Fatalf("deleted %+v", deleted)
	}

	// Guardrails: a whole consumer mail domain, an internal address.
	e.refused(t, 1, "consumer mail provider", mc, "create-blocked-sender-policy", "--description", "x", "--sender-type", "email_domain", "--sender-value", "gmail.com")
	e.refused(t, 1, "--confirm-domain gmail.com", mc, "create-blocked-sender-policy", "--description", "x", "--sender-type", "email_domain", "--sender-value", "gmail.com", "--dry-run")
	if len(e.mc.Policies()) != before {
		t.Fatal("a refused policy was created")
	}
	e.ok(t, &created, mc, "create-blocked-sender-policy", "--description", "whole gmail", "--sender-type", "email_domain", "--sender-value", "gmail.com", "--confirm-domain", "gmail.com")
	e.refused(t, 2, "--sender-type", mc, "create-blocked-sender-policy", "--description", "x", "--sender-type", "martians")

	// Groups: find with Source, create, update, members, delete.
	var found mcEnvelope[struct {
		Folders []struct {
			ID, Description, Source string
		} `json:"folders"`
		Source string `json:"source"`
	}]
	e.ok(t, &found, mc, "find-groups", "--source", "cloud")
	if len(found.Data) != 1 || len(found.Data[0].Folders) == 0 || found.Data[0].Source != "cloud" {
		t.Fatalf("find-groups %+v", found)
	}
	for _, f := range found.Data[0].Folders {
		if f.Source != "cloud" {
			t.Fatalf("--source cloud found %+v", f)
		}
	}
	e.refused(t, 2, "--source", mc, "find-groups", "--source", "carrier-pigeon")
	var group mcEnvelope[mcID]
	e.ok(t, &group, mc, "create-group", "--description", "SOAR blocked")
	gid := group.Data[0].ID
	var renamed mcEnvelope[struct{ ID, Description string }]
	e.ok(t, &renamed, mc, "update-group", "--id", gid, "--description", "SOAR blocked senders")
	if renamed.Data[0].Description != "SOAR blocked senders" {
		t.Fatalf("update-group %+v", renamed)
	}
	e.refused(t, 2, "--description or --parent-id", mc, "update-group", "--id", gid)
	var added mcEnvelope[map[string]any]
	e.ok(t, &added, mc, "add-group-member", "--id", gid, "--email", "a@evil.example,b@evil.example", "--domain", "worse.example")
	if len(added.Data) != 3 {
		t.Fatalf("add-group-member %+v", added)
	}
	var members mcEnvelope[struct {
		GroupMembers []map[string]any `json:"groupMembers"`
	}]
	e.ok(t, &members, mc, "get-group-member", "--id", gid)
	if len(members.Data[0].GroupMembers) != 3 {
		t.Fatalf("members %+v", members)
	}
	e.ok(t, &added, mc, "remove-group-member", "--id", gid, "--email", "b@evil.example")
	e.ok(t, &members, mc, "get-group-member", "--id", gid)
	if len(members.Data[0].GroupMembers) != 2 {
		t.Fatalf("members after remove %+v", members)
	}
	e.ok(t, &added, mc, "delete-group", "--id", gid)
	for _, g := range e.mc.Groups() {
		if g.ID == gid {
			t.Fatal("group not deleted")
		}
	}

	// Managed senders: block (guardrails, dry run), unblock.
	sendersBefore := len(e.mc.ManagedSenders())
	var ms mcEnvelope[map[string]any]
	e.ok(t, &dry, mc, "block-sender", "--sender", "bad@evil.example", "--to", "alice@example.com", "--dry-run")
	if len(e.mc.ManagedSenders()) != sendersBefore {
		t.Fatal("block-sender --dry-run blocked")
	}
	e.ok(t, &ms, mc, "block-sender", "--sender", "bad@evil.example", "--to", "alice@example.com")
	if ms.Data[0]["sender"] != "bad@evil.example" || len(e.mc.ManagedSenders()) != sendersBefore+1 {
		t.Fatalf("block-sender %+v", ms)
	}
	e.refused(t, 1, "internal domain", mc, "block-sender", "--sender", "ceo@example.com", "--to", "bob@example.com")
	e.refused(t, 1, "protected domain", mc, "block-sender", "--sender", "x@bank.example", "--to", "bob@example.com", "--confirm-domain", "wrong.example")
	e.refused(t, 2, "--to is required", mc, "block-sender", "--sender", "bad@evil.example")
	e.refused(t, 2, "not a sender address", mc, "block-sender", "--sender", "Evil <bad@evil.example>", "--to", "alice@example.com")
	e.ok(t, &ms, mc, "unblock-sender", "--sender", "bad@evil.example", "--to", "alice@example.com")
	if !strings.EqualFold(ms.Data[0]["type"].(string), "permit") {
		t.Fatalf("unblock-sender %+v", ms)
	}

	// Managed URLs.
	var urls mcEnvelope[map[string]any]
	e.ok(t, &urls, mc, "get-managed-url")
	urlsBefore := len(urls.Data)
	if urlsBefore == 0 {
		t.Fatal("no managed URLs")
	}
	e.ok(t, &urls, mc, "blacklist-url", "--url", "http://evil.example/login", "--match-type", "domain", "--comment", "SOAR")
	if urls.Data[0]["action"] != "block" || urls.Data[0]["domain"] != "evil.example" {
		t.Fatalf("blacklist-url %+v", urls)
	}
	e.ok(t, &urls, mc, "whitelist-url", "--url", "https://partner.example.net/portal", "--disable-rewrite")
	if urls.Data[0]["action"] != "permit" || urls.Data[0]["disableRewrite"] != true {
		t.Fatalf("whitelist-url %+v", urls)
	}
	e.ok(t, &urls, mc, "get-managed-url")
	if len(urls.Data) != urlsBefore+2 {
		t.Fatalf("managed URLs %d, want %d", len(urls.Data), urlsBefore+2)
	}

	// Investigation.
	var decoded mcEnvelope[map[string]any]
	e.ok(t, &decoded, mc, "decode-url", "--url", mimecasttest.EncodeURL("https://target.example/a?b=c"))
	if decoded.Data[0]["url"] != "https://target.example/a?b=c" {
		t.Fatalf("decode-url %+v", decoded)
	}
	yesterday := time.Now().Add(-48 * time.Hour).UTC().Format(time.RFC3339)
	var logs mcEnvelope[map[string][]map[string]any]
	e.ok(t, &logs, mc, "get-search-url-logs", "--start", yesterday)
	if _, ok := logs.Data[0]["logs"]; !ok {
		t.Fatalf("search logs %+v", logs)
	}
	e.ok(t, &logs, mc, "get-ttp-url-logs", "--start", yesterday, "--route", "inbound")
	if len(logs.Data[0]["clickLogs"]) == 0 {
		t.Fatalf("ttp logs %+v", logs)
	}
	var tracked mcEnvelope[struct {
		TrackedEmails []mcID `json:"trackedEmails"`
	}]
	e.ok(t, &tracked, mc, "message-search", "--sender", "billing@billing-notice.top", "--start", yesterday)
	if len(tracked.Data[0].TrackedEmails) == 0 {
		t.Fatalf("message-search %+v", tracked)
	}
	var info mcEnvelope[map[string]any]
	e.ok(t, &info, mc, "get-message-info", "--id", tracked.Data[0].TrackedEmails[0].ID)
	if info.Data[0]["id"] != tracked.Data[0].TrackedEmails[0].ID {
		t.Fatalf("message info %+v", info)
	}
	var list mcEnvelope[map[string]any]
	e.ok(t, &list, mc, "get-message-list", "--start", yesterday)
	var hits mcEnvelope[struct {
		Items []mcID `json:"items"`
	}]
	e.ok(t, &hits, mc, "archive-search", "--admin", "--text", "invoice")
	var detail mcEnvelope[map[string]any]
	switch {
	case len(list.Data) > 0:
		e.ok(t, &detail, mc, "get-archive-search-message-details", "--id", list.Data[0]["id"].(string))
	case len(hits.Data[0].Items) > 0:
		e.ok(t, &detail, mc, "get-archive-search-message-details", "--id", hits.Data[0].Items[0].ID)
	default:
		t.Fatalf("nothing archived: list %+v search %+v", list, hits)
	}
	if detail.Data[0]["id"] == "" {
		t.Fatalf("archive detail %+v", detail)
	}
	var aliases mcEnvelope[map[string]any]
	e.ok(t, &aliases, mc, "get-aliases", "--email", "j.doe@example.com")
	if len(aliases.Data) != 2 {
		t.Fatalf("aliases %+v", aliases)
	}
	e.refused(t, 1, "mimecast get-message-info", mc, "get-message-info", "--id", "no-such-id")

	recs := e.readAudit(t)
	for _, want := range [][2]string{
		{"mimecast-create-policy", "evil.example"}, {"mimecast-create-policy", "guardrail overridden by typing gmail.com"},
		{"mimecast-update-policy", p.ID}, {"mimecast-delete-policy", p.ID},
		{"mimecast-create-group", "SOAR blocked"}, {"mimecast-update-group", gid}, {"mimecast-delete-group", gid},
		{"mimecast-add-group-members", "worse.example"}, {"mimecast-remove-group-member", "b@evil.example"},
		{"mimecast-block-sender", "bad@evil.example"}, {"mimecast-permit-sender", "bad@evil.example"},
		{"mimecast-block-url", "evil.example"}, {"mimecast-permit-url", "partner.example.net"},
	} {
		if !auditHas(recs, want[0], want[1]) {
			t.Errorf("no audit record %s %q via cli", want[0], want[1])
		}
	}
	if auditHas(recs, "mimecast-block-sender", "ceo@example.com") {
		t.Error("a refused block was audited as attempted")
	}
	e.checkAllRan(t, &mimecastOps)
}

type fmCollection struct {
	Collection       []map[string]any `json:"collection"`
	TotalRemoteCount int              `json:"totalRemoteCount"`
}

// snapshotJSON is the emulator's state, to show a dry run changed nothing.
func snapshotJSON(t *testing.T, fm *fortimailtest.Server) string {
	t.Helper()
	data, err := json.Marshal(fm.Snapshot())
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// Every FortiMail operation through `mailtriage fortimail`, against the
// emulator over HTTPS with the session cookie, as the console logs in.
func TestFortiMailOperations(t *testing.T) {
	e := newGatewayEnv(t, "hmac")
	const fm = "fortimail"
	var list fmCollection
	e.ok(t, &list, fm, "get-domains")
	if len(list.Collection) != 3 || list.TotalRemoteCount != 3 || list.Collection[0]["mkey"] != "example.com" {
		t.Fatalf("domains %+v", list)
	}
	e.ok(t, &list, fm, "get-domains-configured")
	e.ok(t, &list, fm, "get-antispam-profiles-for-domain", "--domain", "example.com")
	if len(list.Collection) != 1 || list.Collection[0]["mkey"] != "AS_Finance" {
		t.Fatalf("antispam profiles of example.com %+v", list)
	}
	e.ok(t, &list, fm, "get-recipient-policies-for-domain", "--domain", "example.com")
	if len(list.Collection) == 0 || list.Collection[0]["antispam"] == nil {
		t.Fatalf("recipient policies %+v", list)
	}
	e.ok(t, &list, fm, "get-greylist")
	if len(list.Collection) != 3 || list.Collection[1]["sender"] != "billing@invoice-update.example.net" {
		t.Fatalf("greylist %+v", list)
	}
	e.ok(t, &list, fm, "get-auto-exempt-greylist")
	if len(list.Collection) != 2 {
		t.Fatalf("auto exempt %+v", list)
	}
	e.ok(t, &list, fm, "get-sender-whitelist-for-session-profile", "--name", "Inbound_Session")
	if len(list.Collection) != 2 || list.Collection[0]["mkey"] != "alerts@partner.example.org" {
		t.Fatalf("safe list %+v", list)
	}
	e.ok(t, &list, fm, "get-sender-blacklist-for-session-profile", "--name", "Inbound_Session")
	if len(list.Collection) != 3 {
		t.Fatalf("block list %+v", list)
	}
	var names []string
	e.ok(t, &names, fm, "get-profile-name", "--type", "Antispam")
	if len(names) != 3 || names[0] != "AS_Inbound" {
		t.Fatalf("antispam names %v", names)
	}
	e.refused(t, 2, "--type", fm, "get-profile-name", "--type", "virus")

	// Session profiles: details, create (dry run first), update, delete.
	var profile map[string]any
	e.ok(t, &profile, fm, "get-session-profile-details", "--name", "Strict_Inbound")
	if profile["mkey"] != "Strict_Inbound" || profile["conn_idle_timeout"] != float64(20) || profile["action"] != "SystemQuarantine" {
		t.Fatalf("session profile %+v", profile)
	}
	before := snapshotJSON(t, e.fm)
	var dry dryRunResult
	e.ok(t, &dry, fm, "create-session-profile", "--name", "SOAR_Session", "--set", "conn_idle_timeout=45", "--dry-run")
	e.ok(t, &dry, fm, "update-session-profile", "--name", "Strict_Inbound", "--set", "conn_concurrent=2", "--dry-run")
	e.ok(t, &dry, fm, "update-antispam-profile", "--name", "AS_Inbound", "--set", "greylist=disable", "--dry-run")
	e.ok(t, &dry, fm, "delete-antispam-profile", "--name", "AS_Outbound", "--dry-run")
	if snapshotJSON(t, e.fm) != before || !dry.DryRun {
		t.Fatal("a dry run changed the appliance")
	}
	e.ok(t, &profile, fm, "create-session-profile", "--name", "SOAR_Session", "--set", "conn_idle_timeout=45", "--set", "sender_reputation=enable")
	if profile["mkey"] != "SOAR_Session" || profile["conn_idle_timeout"] != float64(45) || profile["sender_reputation"] != true {
		t.Fatalf("created %+v", profile)
	}
	e.ok(t, &profile, fm, "update-session-profile", "--name", "SOAR_Session", "--set", "conn_idle_timeout=60")
	e.ok(t, &profile, fm, "get-session-profile-details", "--name", "SOAR_Session")
	if profile["conn_idle_timeout"] != float64(60) || profile["sender_reputation"] != true {
		t.Fatalf("updated %+v", profile)
	}
	// Setting what is already so sends nothing and audits nothing.
	requests := len(e.fm.Requests())
	e.ok(t, &profile, fm, "update-session-profile", "--name", "SOAR_Session", "--set", "conn_idle_timeout=60")
	if profile["conn_idle_timeout"] != float64(60) || auditHas(e.readAudit(t), "fortimail-update-session-profile", "60→60") {
		t.Fatalf("no-op update %+v", profile)
	}
	for _, r := range e.fm.Requests()[requests:] {
		if r.Method == "PUT" {
			t.Fatalf("a no-op update sent %+v", r)
		}
	}
	e.refused(t, 2, "--set", fm, "update-session-profile", "--name", "SOAR_Session", "--set", "conn_idle_timeout=soon")
	e.refused(t, 2, "--set is required", fm, "update-session-profile", "--name", "SOAR_Session")
	var gone fortiDeleted
	e.ok(t, &gone, fm, "delete-session-profile", "--name", "SOAR_Session")
	e.refused(t, 1, "fortimail get-session-profile-details", fm, "get-session-profile-details", "--name", "SOAR_Session")

	// Antispam profiles, system and domain scope.
	e.ok(t, &profile, fm, "get-antispam-profile-details", "--name", "AS_Finance", "--domain", "example.com")
	if profile["mkey"] != "AS_Finance" || profile["action_dmarc"] != "UserQuarantine" {
		t.Fatalf("antispam profile %+v", profile)
	}
	e.ok(t, &profile, fm, "create-antispam-profile", "--name", "AS_SOAR", "--set", "spf_checking=enable", "--set", "action_spf_fail=Reject")
	e.ok(t, &profile, fm, "update-antispam-profile", "--name", "AS_SOAR", "--set", "dmarc_status=enable", "--set", "action_dmarc=SystemQuarantine")
	e.ok(t, &profile, fm, "get-antispam-profile-details", "--name", "AS_SOAR")
	if profile["spf_checking"] != true || profile["dmarc_status"] != true || profile["action_dmarc"] != "SystemQuarantine" {
		t.Fatalf("AS_SOAR %+v", profile)
	}
	e.ok(t, &gone, fm, "delete-antispam-profile", "--name", "AS_SOAR")
	e.ok(t, &names, fm, "get-profile-name", "--type", "antispam")
	if len(names) != 3 {
		t.Fatalf("after delete: %v", names)
	}

	// Each command logged in once with its cookie and logged out again.
	if e.fm.Logins() == 0 || e.fm.Sessions() != 0 {
		t.Fatalf("logins %d, sessions left open %d", e.fm.Logins(), e.fm.Sessions())
	}
	recs := e.readAudit(t)
	for _, want := range [][2]string{
		{"fortimail-create-session-profile", "SOAR_Session"}, {"fortimail-update-session-profile", "conn_idle_timeout 45→60"},
		{"fortimail-delete-session-profile", "SOAR_Session"}, {"fortimail-create-antispam-profile", "AS_SOAR"},
		{"fortimail-update-antispam-profile", "dmarc_status false→true"}, {"fortimail-delete-antispam-profile", "AS_SOAR"},
	} {
		if !auditHas(recs, want[0], want[1]) {
			t.Errorf("no audit record %s %q via cli", want[0], want[1])
		}
	}
	if auditHas(recs, "fortimail-delete-antispam-profile", "AS_Outbound") {
		t.Error("a dry run was audited as a change")
	}
	e.checkAllRan(t, &fortimailOps)
}

// The OAuth 2 path (API 2.0 bearer tokens) takes the same commands.
func TestMimecastOperationsOverOAuth2(t *testing.T) {
	e := newGatewayEnv(t, "oauth2")
	var groups mcEnvelope[map[string]any]
	e.ok(t, &groups, "mimecast", "find-groups", "--query", "partners")
	var ms mcEnvelope[map[string]any]
	e.ok(t, &ms, "mimecast", "block-sender", "--sender", "bad@evil.example", "--to", "alice@example.com")
	if len(e.mc.ManagedSenders()) == 0 || !auditHas(e.readAudit(t), "mimecast-block-sender", "bad@evil.example") {
		t.Fatal("block-sender over OAuth 2 did not block, or was not audited")
	}
}

// Help and usage mistakes walk the operation tables: every operation
// answers --help on stdout with status 0 without a configuration, and a
// wrong flag is one stderr line with status 2.
func TestGatewayHelpAndUsage(t *testing.T) {
	t.Setenv("MAILTRIAGE_CONFIG", filepath.Join(t.TempDir(), "missing.toml"))
	for _, f := range []*gatewayFamily{&mimecastOps, &fortimailOps} {
		for _, args := range [][]string{{f.name}, {f.name, "--help"}, {"help", f.name}} {
			var out, errb bytes.Buffer
			if code := run(args, &out, &errb); code != 0 || errb.Len() != 0 || !strings.HasPrefix(out.String(), "Usage: mailtriage "+f.name+" OPERATION") {
				t.Fatalf("%v: %d %q\n%s", args, code, errb.String(), out.String())
			}
			for _, op := range f.ops {
				if !strings.Contains(out.String(), "\n  "+op.name+" ") {
					t.Errorf("%v does not list %s", args, op.name)
				}
			}
		}
		for _, op := range f.ops {
			var out, errb bytes.Buffer
			name := "mailtriage " + f.name + " " + op.name
			if code := run([]string{f.name, op.name, "--help"}, &out, &errb); code != 0 || errb.Len() != 0 || !strings.HasPrefix(out.String(), "Usage: "+name) {
				t.Errorf("%s --help: %d %q\n%s", name, code, errb.String(), out.String())
			}
			if (op.action != "") != strings.Contains(out.String(), "--dry-run") {
				t.Errorf("%s: --dry-run must be offered exactly by writes (write: %v)", name, op.action != "")
			}
			out.Reset()
			errb.Reset()
			code := run([]string{f.name, op.name, "--no-such-flag"}, &out, &errb)
			want := name + ": flag provided but not defined: -no-such-flag (see " + name + " --help)\n"
			if code != 2 || out.Len() != 0 || errb.String() != want {
				t.Errorf("%s --no-such-flag: %d %q", name, code, errb.String())
			}
		}
		var out, errb bytes.Buffer
		if code := run([]string{f.name, "no-such-op"}, &out, &errb); code != 2 || !strings.HasPrefix(errb.String(), "mailtriage "+f.name+`: unknown operation "no-such-op"`) {
			t.Errorf("unknown op: %d %q", code, errb.String())
		}
	}
}

// A configuration without the gateway's table is a configuration
// mistake (2), said in one line, before anything is contacted.
func TestGatewayNotConfigured(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "config.toml")
	if err := os.WriteFile(path, []byte(`audit_log = "`+filepath.Join(dir, "audit.jsonl")+`"`+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	var out, errb bytes.Buffer
	if code := run([]string{"fortimail", "get-domains", "--config", path}, &out, &errb); code != 2 || !strings.Contains(errb.String(), "no [fortimail] section") {
		t.Fatalf("%d %q", code, errb.String())
	}
}

// The writes carry the roles the brief gives them: blocks and permits are
// a responder's, policies, profiles and groups an admin's; a viewer may
// run none, not even as a dry run (which still checks the role).
func TestGatewayWritesNeedTheirRole(t *testing.T) {
	responderMay := map[string]bool{"block-sender": true, "unblock-sender": true, "blacklist-url": true, "whitelist-url": true}
	for _, f := range []*gatewayFamily{&mimecastOps, &fortimailOps} {
		for _, op := range f.ops {
			if op.action == "" {
				continue
			}
			err := remediate.RoleAllows(remediate.RoleResponder, op.action)
			if (err == nil) != responderMay[op.name] {
				t.Errorf("%s %s (%s): responder allowed %v", f.name, op.name, op.action, err == nil)
			}
			if remediate.RoleAllows(remediate.RoleAdmin, op.action) != nil {
				t.Errorf("%s %s: admin refused", f.name, op.name)
			}
			viewer := &remediate.Service{Allow: func(a remediate.Action) error { return remediate.RoleAllows(remediate.RoleViewer, a) }}
			for _, dry := range []bool{true, false} {
				g := &gatewayCall{op: &op, actions: &action.Layer{Remedy: viewer}, dryRun: dry}
				ran := false
				_, err := g.change(context.Background(), "test", nil, func(context.Context) (any, error) { ran = true; return nil, nil })
				if err == nil || ran {
					t.Errorf("%s %s (dry run %v): a viewer was not refused (ran %v)", f.name, op.name, dry, ran)
				}
			}
		}
	}
}
