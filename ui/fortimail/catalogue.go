package fortimail

import (
	"encoding/json"
	"sort"

	bfm "github.com/mailtriage/mailtriage/backend/fortimail"
)

// The backend models the keys the FortiSOAR connector exposes and keeps
// the rest of a profile in Extra. An analyst asking "why did this phish get
// through?" needs the rest too (FortiGuard, SURBL, Bayesian, heuristics,
// SMTP limits…), so the detail page and the edit form show every key a
// profile carries, grouped by the sections of the FortiMail
// Administration Guide. The catalogue below names the sections, their
// order and the keys in each; modelled keys keep the backend's label and
// kind, the others get a label and kind here. Keys the catalogue does not
// know are still shown, under "Other settings", by their wire name.

// extraKey describes a key the backend keeps in Extra.
type extraKey struct {
	name, label string
	kind        bfm.Kind
}

// section is one heading of a profile page: its keys in display order.
// A key is either modelled (label and kind come from bfm.Fields) or
// described here.
type section struct {
	title string
	keys  []extraKey
}

// k is a key whose label and kind come from the backend's model.
func k(name string) extraKey { return extraKey{name: name} }

func flagKey(name, label string) extraKey   { return extraKey{name, label, bfm.KindBool} }
func numKey(name, label string) extraKey    { return extraKey{name, label, bfm.KindInt} }
func floatKey(name, label string) extraKey  { return extraKey{name, label, bfm.KindFloat} }
func textKey(name, label string) extraKey   { return extraKey{name, label, bfm.KindString} }
func actionKey(name, label string) extraKey { return extraKey{name, label, bfm.KindAction} }

// otherSection heads the keys the catalogue does not know.
const otherSection = "Other settings"

// sessionSections follow the GUI's session profile page (Policy > Profile
// > Session).
var sessionSections = []section{
	{"General", []extraKey{k("comment")}},
	{"Connection settings", []extraKey{
		k("conn_rate_how_many"), k("number_of_messages"), k("number_of_recipients"), k("conn_concurrent"), k("conn_idle_timeout"),
		flagKey("conn_blacklisted", "Do not let clients connect to blocklisted SMTP servers"),
		flagKey("conn_hide", "Hide this FortiMail from clients (transparent mode)"),
	}},
	{"Sender reputation", []extraKey{
		k("sender_reputation"), k("sender_reputation_throttle"), k("sender_reputation_throttle_number"),
		k("sender_reputation_throttle_percent"), k("sender_reputation_tempfail"), k("sender_reputation_reject"),
		k("check_client_ip_quick"),
	}},
	{"Endpoint reputation", []extraKey{
		k("msisdn_sender_reputation_status"), k("msisdn_sender_reputation_action"),
		k("msisdn_sender_reputation_trigger"), k("msisdn_sender_reputation_blacklist_duration"),
	}},
	{"Sender validation", []extraKey{
		k("spf"), k("dkim"), k("dkim_signing"), k("dkim_signing_authenticated_only"), k("domainkey"),
		k("bypass_bounce_verify"), k("sender_verification"),
		textKey("sender_verification_profile", "Sender address verification LDAP profile"),
	}},
	{"Session settings", []extraKey{
		k("action"), k("session_action_msg_type"), k("check_domain_chars"),
		flagKey("rewrite_helo", "Rewrite EHLO/HELO domain"),
		textKey("rewrite_helo_custom", "Rewrite EHLO/HELO domain to"),
		textKey("helo_custom", "Custom EHLO/HELO domain"),
		flagKey("disallow_encrypted", "Prevent encrypted SMTP sessions (STARTTLS)"),
		flagKey("block_encrypted", "Block encrypted email"),
		k("command_checking"),
		numKey("allow_pipelining", "Allow pipelining (number)"),
		flagKey("splice_enable", "Switch to SMTP splice mode"),
		numKey("splice_what", "Splice threshold type (number)"),
		numKey("splice_after", "Splice threshold"),
		k("eom_ack"),
	}},
	{"Unauthenticated session settings", []extraKey{
		flagKey("check_helo_domain", "Check HELO/EHLO domain"),
		flagKey("check_sender_domain", "Check sender domain"),
		flagKey("check_recipient_domain", "Check recipient domain"),
		flagKey("disallow_empty_domains", "Reject empty domains"),
		flagKey("check_open_relay", "Prevent open relaying"),
		flagKey("check_mason_effect", "Reject if recipient and HELO domain match but sender domain differs"),
	}},
	{"Sender address rate control", []extraKey{
		flagKey("sender_addr_rate_ctrl_state", "Enable sender address rate control"),
		numKey("sender_addr_rate_ctrl_max_recipients", "Maximum recipients per period"),
		numKey("sender_addr_rate_ctrl_action", "Action when exceeded (number)"),
	}},
	{"SMTP limits", []extraKey{
		numKey("limit_helos", "Restrict number of EHLO/HELOs per session to"),
		numKey("limit_emails", "Restrict number of email per session to"),
		numKey("limit_recipients", "Restrict number of recipients per email to"),
		numKey("limit_NOOPs", "Restrict number of NOOPs per session to"),
		numKey("limit_RSETs", "Restrict number of RSETs per session to"),
		numKey("limit_header_size", "Maximum header size (KB)"),
		numKey("limit_message_size", "Maximum message size (KB)"),
	}},
	{"Error handling", []extraKey{
		numKey("error_initial_delay", "Initial delay after an error (seconds)"),
		numKey("error_increment", "Delay increment per error (seconds)"),
		numKey("error_total", "Maximum errors before the connection is dropped"),
		numKey("error_free", "Errors allowed for free"),
	}},
	{"Header manipulation", []extraKey{
		textKey("hide_header", "Remove headers (names)"),
		flagKey("hide_received", "Remove received headers"),
		flagKey("rewrite", "Rewrite addresses"),
		textKey("sender_rewrite", "Sender address rewrite profile"),
		textKey("recipient_rewrite", "Recipient address rewrite profile"),
	}},
	{"Lists", []extraKey{
		k("whitelist_enable"), k("blacklist_enable"), k("to_whitelist_enable"), k("to_blacklist_enable"),
	}},
	{"Advanced settings", []extraKey{
		numKey("access_control", "Access control (number)"),
		textKey("bounce_rule", "Bounce verification rule"),
		textKey("queue", "Email queue"),
		textKey("route", "Routing profile"),
		textKey("remote_log", "Remote logging profile"),
	}},
}

// antispamSections follow the GUI's antispam profile page (Profile >
// AntiSpam), scanners in the order FortiMail applies them.
var antispamSections = []section{
	{"General", []extraKey{k("comment")}},
	{"Default action", []extraKey{
		k("scanner_default"), flagKey("apply_action_default", "Apply the default action to every scanner without one"),
	}},
	{"FortiGuard", []extraKey{
		flagKey("fortiguard", "FortiGuard antispam"),
		actionKey("scanner_fortiguard", "FortiGuard action"),
		flagKey("fortiguard_check_ip", "FortiGuard IP reputation check"),
		actionKey("scanner_fortiguard_blackip", "FortiGuard blocklisted IP action"),
		numKey("spam_outbreak", "Spam outbreak protection (number)"),
	}},
	{"Phishing URI / URL filter", []extraKey{
		flagKey("phishing_uri", "Phishing URI check"),
		actionKey("scanner_phishing_uri", "Phishing URI action"),
		textKey("uri_filter_fortiguard", "FortiGuard URI filter profile"),
		flagKey("uri_filter_secondary_status", "Secondary URI filter"),
		textKey("uri_filter_secondary", "Secondary URI filter profile"),
		actionKey("action_uri_filter_secondary", "Secondary URI filter action"),
	}},
	{"IP reputation", []extraKey{
		flagKey("ip_reputation_level1_status", "IP reputation level 1"),
		actionKey("action_ip_reputation_level1", "IP reputation level 1 action"),
		flagKey("ip_reputation_level2_status", "IP reputation level 2"),
		actionKey("action_ip_reputation_level2", "IP reputation level 2 action"),
		flagKey("ip_reputation_level3_status", "IP reputation level 3"),
		actionKey("action_ip_reputation_level3", "IP reputation level 3 action"),
	}},
	{"Greylist", []extraKey{k("greylist"), actionKey("scanner_grey_list", "Greylist action")}},
	{"SPF", []extraKey{
		k("spf_checking"),
		k("spf_fail_status"), k("action_spf_fail"), k("spf_soft_fail_status"), k("action_spf_soft_fail"),
		k("spf_sender_alignment_status"), k("action_spf_sender_alignment"),
		k("spf_perm_error_status"), k("action_spf_perm_error"), k("spf_temp_error_status"), k("action_spf_temp_error"),
		k("spf_pass_status"), k("action_spf_pass"), k("spf_neutral_status"), k("action_spf_neutral"),
		k("spf_none_status"), k("action_spf_none"),
	}},
	{"DKIM", []extraKey{
		flagKey("dkim_status", "DKIM check"),
		flagKey("dkim_fail_status", "DKIM fail"), actionKey("action_dkim", "DKIM fail action"),
		flagKey("dkim_temp_error_status", "DKIM temporary error"), actionKey("action_dkim_temp_error", "DKIM temporary error action"),
		flagKey("dkim_pass_status", "DKIM pass"), actionKey("action_dkim_pass", "DKIM pass action"),
		flagKey("dkim_none_status", "DKIM none"), actionKey("action_dkim_none", "DKIM none action"),
	}},
	{"DMARC", []extraKey{
		k("dmarc_status"), k("action_dmarc"),
		flagKey("dmarc_fail_status", "DMARC fail"),
		flagKey("dmarc_temp_error_status", "DMARC temporary error"), actionKey("action_dmarc_temp_error", "DMARC temporary error action"),
		flagKey("dmarc_pass_status", "DMARC pass"), actionKey("action_dmarc_pass", "DMARC pass action"),
		flagKey("dmarc_none_status", "DMARC none"), actionKey("action_dmarc_none", "DMARC none action"),
	}},
	{"ARC", []extraKey{
		flagKey("arc_status", "ARC check"), actionKey("action_arc", "ARC action"),
		numKey("arc_override_option", "ARC override (number)"),
	}},
	{"Behaviour analysis", []extraKey{k("behavior_analysis"), k("action_behavior_analysis")}},
	{"Header analysis", []extraKey{k("deepheader_analysis"), k("deepheader_check_ip"), k("scanner_deep_header")}},
	{"DNSBL and SURBL", []extraKey{
		flagKey("dnsbl", "DNSBL check"), actionKey("scanner_rbl", "DNSBL action"),
		flagKey("surbl", "SURBL check"), actionKey("scanner_surbl", "SURBL action"),
	}},
	{"Impersonation and BEC", []extraKey{
		flagKey("impersonation_analysis", "Impersonation analysis"),
		textKey("impersonation", "Impersonation profile"),
		actionKey("action_impersonation_analysis", "Impersonation action"),
		flagKey("bec_scan_status", "Business email compromise scan"),
		flagKey("bec_status", "Business email compromise"),
		textKey("bec_profile", "BEC profile"),
		actionKey("action_bec", "BEC action"),
	}},
	{"Cousin domain", []extraKey{
		flagKey("cousin_domain", "Cousin domain check"),
		numKey("cousin_domain_scan_option", "Cousin domain scan option (number)"),
		textKey("cousin_domain_profile", "Cousin domain profile"),
		actionKey("action_cousin_domain", "Cousin domain action"),
	}},
	{"Bayesian", []extraKey{
		flagKey("bayesian", "Bayesian scan"),
		flagKey("bayesian_user_db", "Use personal (user) database"),
		flagKey("bayesian_usertraining", "Accept training messages from users"),
		flagKey("bayesian_autotraining", "Use other techniques for auto training"),
		actionKey("scanner_bayesian", "Bayesian action"),
	}},
	{"Heuristic", []extraKey{
		flagKey("heuristic", "Heuristic scan"),
		floatKey("heuristic_lower", "Lower threshold"),
		floatKey("heuristic_upper", "Upper threshold"),
		numKey("heuristic_rules_percent", "Percentage of rules used"),
		actionKey("scanner_heuristic", "Heuristic action"),
	}},
	{"Dictionary", []extraKey{
		flagKey("dictionary", "Dictionary scan"),
		numKey("dictionary_type", "Dictionary type (number)"),
		textKey("dictionary_group_id", "Dictionary group"),
		textKey("dictionary_profile_id_new", "Dictionary profile"),
		numKey("minimum_dictionary_score", "Minimum dictionary score"),
		actionKey("scanner_dictionary", "Dictionary action"),
	}},
	{"Banned and safe words", []extraKey{
		flagKey("bannedword", "Banned word scan"),
		flagKey("whitelistword", "Safe word scan"),
		actionKey("scanner_banned_word", "Banned word action"),
	}},
	{"Newsletter", []extraKey{
		flagKey("newsletter_status", "Newsletter detection"),
		actionKey("action_newsletter", "Newsletter action"),
		flagKey("suspicious_newsletter_status", "Suspicious newsletter detection"),
		actionKey("action_suspicious_newsletter", "Suspicious newsletter action"),
	}},
	{"Image spam", []extraKey{k("imagespam"), k("scanner_image_spam"), k("aggressive")}},
	{"Virus and scan options", []extraKey{
		actionKey("scanner_virus", "Suspicious (virus) action"),
		flagKey("scan_bypass_on_auth", "Bypass scan on SMTP authentication"),
		numKey("scan_maxsize", "Do not scan email over (KB)"),
		flagKey("scan_pdf", "Scan PDF attachments"),
	}},
}

// sectionsOf returns the catalogue of T's profiles; nil for objects that
// have none (domains and policies keep the backend's groups).
func sectionsOf[T bfm.Object]() []section {
	var zero T
	switch any(zero).(type) {
	case bfm.SessionProfile:
		return sessionSections
	case bfm.AntispamProfile:
		return antispamSections
	}
	return nil
}

// profileFields lists every key obj carries (mkey aside) as form fields
// grouped by section: modelled keys always, catalogued keys the appliance
// sent, then the ones the catalogue does not know, by name. Keys whose
// value is not a single value (objects, lists) are left to extraOnly.
func profileFields[T bfm.Object](obj T) []bfm.Field {
	modelled := map[string]bfm.Field{}
	for _, f := range bfm.Fields[T]() {
		modelled[f.Name] = f
	}
	placed := map[string]bool{"mkey": true}
	var out []bfm.Field
	for _, s := range sectionsOf[T]() {
		for _, e := range s.keys {
			f, ok := fieldOf(obj, modelled, e)
			if !ok || placed[e.name] {
				continue
			}
			f.Group = s.title
			placed[e.name] = true
			out = append(out, f)
		}
	}
	// A modelled key the catalogue misses keeps the backend's group.
	for _, f := range bfm.Fields[T]() {
		if !placed[f.Name] {
			placed[f.Name] = true
			out = append(out, f)
		}
	}
	for _, name := range sortedExtra(obj) {
		if placed[name] {
			continue
		}
		v, _ := bfm.FieldValue(obj, name)
		if kind, ok := kindOfValue(v); ok {
			out = append(out, bfm.Field{Name: name, Label: name, Group: otherSection, Kind: kind})
		}
	}
	return out
}

// fieldOf is the field for catalogue entry e: the modelled one, or one
// built from e when obj carries the key.
func fieldOf[T bfm.Object](obj T, modelled map[string]bfm.Field, e extraKey) (bfm.Field, bool) {
	if f, ok := modelled[e.name]; ok {
		return f, true
	}
	if e.kind == "" {
		return bfm.Field{}, false // a modelled key of another type
	}
	v, ok := bfm.FieldValue(obj, e.name)
	if !ok {
		return bfm.Field{}, false
	}
	f := bfm.Field{Name: e.name, Label: e.label, Kind: e.kind}
	// The appliance has the last word on a value's type: a key the
	// catalogue calls text but that arrives as a number is edited as a
	// number, so an edit does not change its JSON type.
	if got, ok := kindOfValue(v); ok && v != nil && !sameValueKind(got, e.kind) {
		f.Kind = got
	}
	if f.Kind == bfm.KindAction {
		f.Choices = bfm.ActionChoices
	}
	return f, true
}

// sameValueKind reports whether a value decoded as kind got can be edited
// as kind want.
func sameValueKind(got, want bfm.Kind) bool {
	number := func(k bfm.Kind) bool { return k == bfm.KindInt || k == bfm.KindFloat }
	text := func(k bfm.Kind) bool { return k == bfm.KindString || k == bfm.KindAction }
	return got == want || number(got) && number(want) || text(got) && text(want)
}

// extraOnly lists the keys obj carries that no form can edit (objects and
// lists): the detail page shows them as JSON, read-only.
func extraOnly[T bfm.Object](obj T) []string {
	var out []string
	for _, name := range sortedExtra(obj) {
		v, _ := bfm.FieldValue(obj, name)
		if _, ok := kindOfValue(v); !ok {
			out = append(out, name)
		}
	}
	return out
}

// kindOfValue is the form kind of a value decoded from JSON; ok is false
// for objects and lists, which the form does not edit.
func kindOfValue(v any) (bfm.Kind, bool) {
	switch v := v.(type) {
	case bool:
		return bfm.KindBool, true
	case float64:
		if v == float64(int64(v)) && v >= 0 {
			return bfm.KindInt, true
		}
		return bfm.KindFloat, true
	case string, nil:
		return bfm.KindString, true
	}
	return "", false
}

// sortedExtra returns the names of the keys obj keeps in Extra, sorted.
func sortedExtra[T bfm.Object](obj T) []string {
	extra := extraMap(obj)
	names := make([]string, 0, len(extra))
	for n := range extra {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// extraMap is the Extra of obj: the keys the backend does not model.
func extraMap[T bfm.Object](obj T) map[string]json.RawMessage {
	switch p := any(obj).(type) {
	case bfm.SessionProfile:
		return p.Extra
	case bfm.AntispamProfile:
		return p.Extra
	case bfm.RecipientPolicy:
		return p.Extra
	case bfm.Domain:
		return p.Extra
	}
	return nil
}

// labelOf is the label the catalogue gives a key of T ("" if none), for
// the diff of a key the backend does not model.
func labelOf[T bfm.Object](name string) string {
	for _, s := range sectionsOf[T]() {
		for _, e := range s.keys {
			if e.name == name {
				return e.label
			}
		}
	}
	return ""
}
