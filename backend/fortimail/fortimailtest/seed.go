package fortimailtest

// DefaultSeed is a small, plausible appliance for the demo and for tests:
// three protected domains, the factory-style session and antispam
// profiles plus a stricter pair, recipient policies that use them, a
// greylist in progress, and block/safe lists with a few entries. Names and
// addresses are documentation ones (example.*, 192.0.2.0/24,
// 198.51.100.0/24, 203.0.113.0/24).
func DefaultSeed() SeedData {
	return SeedData{
		Domains: []Object{
			{"mkey": "example.com", "ip": "192.0.2.25", "port": 25, "recipient_verification": 1},
			{"mkey": "example.org", "ip": "192.0.2.26", "port": 25, "mxflag": 1},
			{"mkey": "mail.example.net", "ip": "198.51.100.10", "port": 465, "usessl": true,
				"is_subdomain": true, "maindomain": "example.net"},
		},
		SessionProfiles: []Object{
			{"mkey": "Inbound_Session", "comment": "Default inbound session profile",
				"sender_reputation": true, "check_client_ip_quick": true, "conn_concurrent": 10},
			{"mkey": "Outbound_Session", "comment": "Default outbound session profile",
				"dkim_signing": true, "dkim_signing_authenticated_only": true, "spf": 0},
			{"mkey": "Strict_Inbound", "comment": "Hardened profile for the executive mail relay",
				"conn_rate_how_many": 30, "number_of_messages": 100, "number_of_recipients": 200,
				"conn_concurrent": 5, "conn_idle_timeout": 20, "sender_reputation": true,
				"sender_reputation_throttle": 10, "sender_reputation_tempfail": 20, "sender_reputation_reject": 25,
				"check_client_ip_quick": true, "domainkey": true, "sender_verification": true,
				"check_domain_chars": true, "command_checking": true, "action": "SystemQuarantine",
				"to_blacklist_enable": true},
		},
		SessionLists: map[string]SessionLists{
			"Inbound_Session": {
				SenderSafe:  []string{"alerts@partner.example.org", "*@payroll.example.com"},
				SenderBlock: []string{"*@bulk-mailer.example.net", "invoice@fakebank.example.net", "203.0.113.0/24"},
			},
			"Strict_Inbound": {
				SenderBlock:    []string{"*@lookalike-example.com"},
				RecipientBlock: []string{"former.employee@example.com"},
			},
		},
		AntispamProfiles: map[string][]Object{
			System: {
				{"mkey": "AS_Inbound", "comment": "Default inbound antispam", "greylist": true,
					"spf_checking": true, "spf_fail_status": true, "action_spf_fail": "Reject",
					"spf_soft_fail_status": true, "action_spf_soft_fail": "TagSubject",
					"dmarc_status": true, "action_dmarc": "SystemQuarantine", "imagespam": true},
				{"mkey": "AS_Inbound_High", "comment": "Aggressive inbound antispam",
					"scanner_default": "SystemQuarantine", "greylist": true, "spf_checking": true,
					"spf_fail_status": true, "action_spf_fail": "Reject", "spf_perm_error_status": true,
					"action_spf_perm_error": "SystemQuarantine", "dmarc_status": true, "action_dmarc": "Reject",
					"behavior_analysis": true, "action_behavior_analysis": "SystemQuarantine",
					"deepheader_analysis": true, "deepheader_check_ip": true, "scanner_deep_header": "TagSubject",
					"imagespam": true, "aggressive": true, "scanner_image_spam": "TagSubjectSuspicious",
					"dictionary_type": 2, "minimum_dictionary_score": 3},
				{"mkey": "AS_Outbound", "comment": "Outbound: tag only", "scanner_default": "TagSubject"},
			},
			"example.com": {
				{"mkey": "AS_Finance", "comment": "Finance team: no tagging, quarantine on DMARC failure",
					"dmarc_status": true, "action_dmarc": "UserQuarantine", "spf_checking": true},
			},
		},
		RecipientPolicies: map[string][]Object{
			"example.com": {
				{"mkey": 1, "direction": 1, "recipient_pattern": "*", "recipient_domain": "example.com",
					"antispam": "AS_Inbound@system", "antivirus": "AV_Discard@system", "comment": "Inbound mail"},
				{"mkey": 2, "direction": 1, "recipient_pattern": "finance", "recipient_domain": "example.com",
					"antispam": "AS_Finance@example.com", "comment": "Finance team"},
				{"mkey": 3, "direction": 2, "sender_pattern": "*", "sender_domain": "example.com",
					"antispam": "AS_Outbound@system", "comment": "Outbound mail"},
			},
			"example.org": {
				{"mkey": 4, "direction": 1, "recipient_domain": "example.org",
					"antispam": "AS_Inbound_High@system", "comment": "Inbound, high sensitivity"},
			},
		},
		// Invented fields: the real items' keys were never captured.
		Greylist: []Object{
			{"mkey": "1", "ip": "203.0.113.45", "sender": "news@promo.example.net", "recipient": "alice@example.com", "expire": "2026-05-04 10:12:00"},
			{"mkey": "2", "ip": "198.51.100.77", "sender": "billing@invoice-update.example.net", "recipient": "finance@example.com", "expire": "2026-05-04 10:20:31"},
			{"mkey": "3", "ip": "203.0.113.8", "sender": "", "recipient": "bob@example.org", "expire": "2026-05-04 10:31:09"},
		},
		AutoExemptGreylist: []Object{
			{"mkey": "1", "sender_domain": "partner.example.org", "recipient": "alice@example.com", "ip": "192.0.2.80", "expire": "2026-06-01 00:00:00"},
			{"mkey": "2", "sender_domain": "example.net", "recipient": "bob@example.org", "ip": "198.51.100.3", "expire": "2026-05-28 08:00:00"},
		},
		SenderLists: map[string]SenderLists{
			System: {
				Block: []string{"*@phish.example.net", "billing@invoice-update.example.net", "198.51.100.0/24"},
				Safe:  []string{"*@partner.example.org"},
			},
			"example.com": {
				Block: []string{"ceo@examp1e.com"},
				Safe:  []string{"noreply@payroll.example.com"},
			},
		},
		ActionProfiles: []string{"TagSubjectSuspicious", "TagSubjectNewsletter"},
	}
}
