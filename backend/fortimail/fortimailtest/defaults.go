package fortimailtest

// Defaults give every stored object the full key set a real appliance
// returns (the keys of the connector's output schemas), so that clients
// meet the keys they do not model and must carry them through edits.
// Values are plausible, not FortiMail's documented defaults.

func sessionDefaults(name string) Object {
	return norm(Object{
		"mkey": name, "comment": "",
		// Connection settings
		"conn_rate_how_many": 0, "number_of_messages": 0, "number_of_recipients": 0,
		"conn_concurrent": 0, "conn_idle_timeout": 30, "conn_blacklisted": false, "conn_hide": false,
		// Sender reputation
		"sender_reputation": false, "check_client_ip_quick": false, "sender_reputation_throttle": 15,
		"sender_reputation_throttle_number": 5, "sender_reputation_throttle_percent": 1,
		"sender_reputation_tempfail": 25, "sender_reputation_reject": 30,
		// Endpoint reputation
		"msisdn_sender_reputation_status": false, "msisdn_sender_reputation_action": 0,
		"msisdn_sender_reputation_trigger": 5, "msisdn_sender_reputation_blacklist_duration": 0,
		// Sender validation
		"spf": 1, "dkim": true, "dkim_signing": false, "dkim_signing_authenticated_only": false,
		"domainkey": false, "bypass_bounce_verify": false, "sender_verification": false,
		"sender_verification_profile": "",
		// Session settings
		"action": "", "session_action_msg_type": 0, "check_domain_chars": false,
		"command_checking": false, "eom_ack": false,
		// Lists
		"whitelist_enable": true, "blacklist_enable": true,
		"to_whitelist_enable": false, "to_blacklist_enable": false,
		// Not exposed by the connector
		"access_control": 0, "allow_pipelining": 1, "block_encrypted": false, "bounce_rule": "",
		"check_helo_domain": false, "check_mason_effect": false, "check_open_relay": false,
		"check_recipient_domain": false, "check_sender_domain": false, "disallow_empty_domains": false,
		"disallow_encrypted": false, "error_free": 1, "error_increment": 1, "error_initial_delay": 1,
		"error_total": 10, "helo_custom": "", "hide_header": "", "hide_received": false,
		"limit_NOOPs": 10, "limit_RSETs": 20, "limit_emails": 10, "limit_header_size": 32,
		"limit_helos": 3, "limit_message_size": 10240, "limit_recipients": 500, "queue": "",
		"recipient_rewrite": "", "remote_log": "", "rewrite": false, "rewrite_helo": false,
		"rewrite_helo_custom": "", "route": "", "sender_addr_rate_ctrl_action": 0,
		"sender_addr_rate_ctrl_max_recipients": 0, "sender_addr_rate_ctrl_state": false,
		"sender_rewrite": "", "splice_after": 0, "splice_enable": false, "splice_what": 0,
	})
}

func antispamDefaults(name string) Object {
	o := Object{
		"mkey": name, "comment": "", "scanner_default": "UserQuarantine", "apply_action_default": false,
		"greylist": false, "scanner_grey_list": "", "spf_checking": false,
		"dmarc_status": false, "action_dmarc": "", "behavior_analysis": false, "action_behavior_analysis": "",
		"deepheader_analysis": false, "deepheader_check_ip": false, "scanner_deep_header": "",
		"imagespam": false, "scanner_image_spam": "", "aggressive": false,
		// Not exposed by the connector
		"fortiguard": true, "scanner_fortiguard": "", "fortiguard_check_ip": true,
		"scanner_fortiguard_blackip": "", "phishing_uri": true, "scanner_phishing_uri": "",
		"uri_filter_fortiguard": "phishing", "uri_filter_secondary_status": false,
		"uri_filter_secondary": "unrated", "action_uri_filter_secondary": "", "spam_outbreak": 0,
		"dnsbl": false, "scanner_rbl": "", "surbl": false, "scanner_surbl": "",
		"bayesian": false, "bayesian_user_db": false, "bayesian_usertraining": false,
		"bayesian_autotraining": true, "scanner_bayesian": "", "heuristic": false,
		"heuristic_lower": -20, "heuristic_upper": 3.5, "heuristic_rules_percent": 25,
		"scanner_heuristic": "", "dictionary": false, "dictionary_type": 1, "dictionary_group_id": "",
		"dictionary_profile_id_new": "", "minimum_dictionary_score": 1, "scanner_dictionary": "",
		"bannedword": false, "whitelistword": false, "scanner_banned_word": "",
		"newsletter_status": false, "action_newsletter": "", "suspicious_newsletter_status": false,
		"action_suspicious_newsletter": "", "impersonation": "", "impersonation_analysis": false,
		"action_impersonation_analysis": "", "scanner_virus": "", "scan_bypass_on_auth": false,
		"scan_maxsize": 1024, "scan_pdf": false,
	}
	for _, res := range spfResults {
		o["spf_"+res+"_status"] = false
		o["action_spf_"+res] = ""
	}
	return norm(o)
}

func domainDefaults(name string) Object {
	return norm(Object{
		"mkey": name, "mdomain": name, "maindomain": "", "is_subdomain": false, "is_association": false,
		"is_service_domain": false, "ip": "", "port": 25, "usessl": false, "mxflag": 0,
		"recipient_verification": 0, "fallbackhost": "", "fallbackport": 25, "fallbackusessl": false,
		"relay_ip_group": "", "alternative_domain_name": "", "ldap_routing_state": false,
		"ldap_routing_profile": "", "global_bayesian": true, "sender_addr_rate_control_state": false,
		"sender_addr_rate_control_max_messages": 0, "domain_report": false, "report_template_name": "",
		"ip_pool": "", "system_domain": 1, "max_message_size": 204800, "disclaimer_status": 0,
		"webmail_service_type": 0,
	})
}

func policyDefaults() Object {
	return norm(Object{
		"status": true, "direction": 1, "sender_type": 0, "sender_pattern": "*", "sender_domain": "",
		"sender_ldap_profile": "", "sender_email_address_group": "", "groupmode": 0,
		"recipient_type": 0, "recipient_pattern": "*", "recipient_domain": "", "ldap_profile": "",
		"recipient_email_address_group": "", "antispam": "", "content": "", "profile_dlp": "",
		"antivirus": "", "misc": "", "auth": 0, "radius_auth": "", "ldap_auth": "", "pop3_auth": "",
		"imap_auth": "", "smtp_auth": "", "pkiauth": false, "pkiuser": "", "comment": "",
		"auth_allow_smtp": false, "smtp_diff_identity": false, "certificate_required": false,
	})
}

// Collections list summaries of some objects, as the appliance does.
var (
	sessionSummary  = []string{"mkey", "comment", "action"}
	antispamSummary = []string{"mkey", "comment", "dictionary_type", "minimum_dictionary_score"}
	domainSummary   = []string{"mkey", "maindomain", "is_association", "is_subdomain", "ip", "port", "mxflag", "recipient_verification", "is_service_domain"}
)

func summarize(o Object, keys []string) Object {
	out := make(Object, len(keys))
	for _, k := range keys {
		if v, ok := o[k]; ok {
			out[k] = v
		}
	}
	return out
}
