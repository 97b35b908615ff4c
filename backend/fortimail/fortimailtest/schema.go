package fortimailtest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// System is the scope of system-wide profiles, policies and lists.
const System = "system"

// rule is what a field accepts. Ranges are the emulator's (the appliance's
// own limits are documented only in part); unknown fields are stored
// verbatim, as FortiMail does with keys it ignores.
type rule struct {
	kind     string // "flag", "number", "choice", "action", "text"
	min, max int64
	choices  []int64
}

func flag() rule                  { return rule{kind: "flag"} }
func number(lo, hi int64) rule    { return rule{kind: "number", min: lo, max: hi} }
func choice(values ...int64) rule { return rule{kind: "choice", choices: values} }
func action() rule                { return rule{kind: "action"} }
func text() rule                  { return rule{kind: "text"} }

var sessionRules = map[string]rule{
	"comment":            text(),
	"conn_rate_how_many": number(0, 100000), "number_of_messages": number(0, 100000),
	"number_of_recipients": number(0, 100000), "conn_concurrent": number(0, 10000),
	"conn_idle_timeout": number(1, 1200),
	"sender_reputation": flag(), "check_client_ip_quick": flag(),
	"sender_reputation_throttle": number(1, 100), "sender_reputation_throttle_number": number(0, 100000),
	"sender_reputation_throttle_percent": number(1, 100), "sender_reputation_tempfail": number(1, 100),
	"sender_reputation_reject":        number(1, 100),
	"msisdn_sender_reputation_status": flag(), "msisdn_sender_reputation_action": choice(0, 1),
	"msisdn_sender_reputation_trigger": number(1, 100), "msisdn_sender_reputation_blacklist_duration": number(0, 10080),
	"spf": choice(0, 1, 2), "dkim": flag(), "dkim_signing": flag(), "dkim_signing_authenticated_only": flag(),
	"domainkey": flag(), "bypass_bounce_verify": flag(), "sender_verification": flag(),
	"action": action(), "session_action_msg_type": choice(0, 1),
	"check_domain_chars": flag(), "command_checking": flag(), "eom_ack": flag(),
	"whitelist_enable": flag(), "blacklist_enable": flag(), "to_whitelist_enable": flag(), "to_blacklist_enable": flag(),
}

var antispamRules = func() map[string]rule {
	r := map[string]rule{
		"comment": text(), "scanner_default": action(), "apply_action_default": flag(),
		"greylist": flag(), "scanner_grey_list": action(), "spf_checking": flag(),
		"dmarc_status": flag(), "action_dmarc": action(),
		"behavior_analysis": flag(), "action_behavior_analysis": action(),
		"deepheader_analysis": flag(), "deepheader_check_ip": flag(), "scanner_deep_header": action(),
		"imagespam": flag(), "scanner_image_spam": action(), "aggressive": flag(),
		"scan_maxsize": number(1, 10240),
	}
	for _, res := range spfResults {
		r["spf_"+res+"_status"] = flag()
		r["action_spf_"+res] = action()
	}
	return r
}()

var spfResults = []string{"pass", "neutral", "fail", "soft_fail", "temp_error", "perm_error", "none", "sender_alignment"}

// check validates the fields of a create or update body against rules and
// returns FortiMail-style text for the first bad one ("" if all are fine).
// Fields are checked in name order so the message is stable.
func (st *state) check(rules map[string]rule, body Object) string {
	for _, k := range sortedKeys(body) {
		r, ok := rules[k]
		if !ok {
			continue
		}
		if msg := st.checkValue(r, body[k]); msg != "" {
			return fmt.Sprintf("Invalid value for %s: %s (%s) ", k, show(body[k]), msg)
		}
	}
	return ""
}

func (st *state) checkValue(r rule, v any) string {
	switch r.kind {
	case "flag":
		if _, ok := v.(bool); !ok {
			return "must be true or false"
		}
	case "number", "choice":
		n, ok := integer(v)
		if !ok {
			return "must be a whole number"
		}
		if r.kind == "number" && (n < r.min || n > r.max) {
			return fmt.Sprintf("must be %d-%d", r.min, r.max)
		}
		if r.kind == "choice" && !slices.Contains(r.choices, n) {
			return "must be one of " + joinInts(r.choices)
		}
	case "action":
		s, ok := v.(string)
		if !ok || !st.actions[s] {
			return "no such action profile"
		}
	case "text":
		if _, ok := v.(string); !ok {
			return "must be text"
		}
	}
	return ""
}

// integer accepts a JSON number or a numeric string, as FortiMail accepts
// the strings some clients send.
func integer(v any) (int64, bool) {
	switch v := v.(type) {
	case json.Number:
		n, err := v.Int64()
		return n, err == nil
	case string:
		n, err := strconv.ParseInt(v, 10, 64)
		return n, err == nil
	}
	return 0, false
}

func show(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func joinInts(ns []int64) string {
	s := make([]string, len(ns))
	for i, n := range ns {
		s[i] = strconv.FormatInt(n, 10)
	}
	return strings.Join(s, ", ")
}

// norm gives an object the value types of a decoded request body.
func norm(o Object) Object {
	data, _ := json.Marshal(o)
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var out Object
	_ = dec.Decode(&out)
	return out
}
