package fortimail

// Values of the fields that hold a choice. FortiMail sends these as
// integers; the meanings come from the FortiSOAR connector and the
// FortiMail GUI. Where the reference marks the integer mapping as
// unverified, the constant says so.

// Action names for antispam action fields (scanner_*, action_*). They name
// antispam action profiles; these are the connector's choices, and an
// appliance may define more.
const (
	ActionDefault          = ""       // use the profile's default action
	ActionNone             = "<None>" // take no action
	ActionDiscard          = "Discard"
	ActionReject           = "Reject"
	ActionSystemQuarantine = "SystemQuarantine"
	ActionUserQuarantine   = "UserQuarantine"
	ActionTagSubject       = "TagSubject"
)

// ActionChoices are the connector's antispam actions, for a picker.
var ActionChoices = []Choice{
	{ActionNone, "None"},
	{ActionDefault, "Default"},
	{ActionDiscard, "Discard"},
	{ActionReject, "Reject"},
	{ActionSystemQuarantine, "System quarantine"},
	{ActionUserQuarantine, "User quarantine"},
	{ActionTagSubject, "Tag subject"},
}

// SessionActionChoices are the connector's session actions ("" is none).
var SessionActionChoices = []Choice{
	{"", "None"},
	{"Discard", "Discard"},
	{"Encrypt_Pull", "Encrypt (pull)"},
	{"Reject", "Reject"},
	{"Replace", "Replace"},
	{"SystemQuarantine", "System quarantine"},
	{"UserQuarantine", "User quarantine"},
}

// EndpointAction is what endpoint reputation does over the trigger score.
type EndpointAction int

// Endpoint reputation actions.
const (
	EndpointReject  EndpointAction = 0
	EndpointMonitor EndpointAction = 1
)

// SPFCheck is the session profile's SPF check setting (integer mapping
// unverified: the connector offers Enable, Disable and Bypass).
type SPFCheck int

// SPF check settings.
const (
	SPFDisable SPFCheck = 0
	SPFEnable  SPFCheck = 1
	SPFBypass  SPFCheck = 2
)

// MessageSelection says which messages the session action applies to
// (integer mapping unverified).
type MessageSelection int

// Message selections.
const (
	AllMessages      MessageSelection = 0
	AcceptedMessages MessageSelection = 1
)

// Direction is a recipient policy's direction.
type Direction int

// Directions.
const (
	Inbound  Direction = 1
	Outbound Direction = 2
)

func (d Direction) String() string {
	switch d {
	case Inbound:
		return "inbound"
	case Outbound:
		return "outbound"
	}
	return "unknown"
}

// enumChoices are the choices of enum fields by wire name.
var enumChoices = map[string][]Choice{
	"msisdn_sender_reputation_action": {{EndpointReject, "Reject"}, {EndpointMonitor, "Monitor"}},
	"spf":                             {{SPFEnable, "Enable"}, {SPFDisable, "Disable"}, {SPFBypass, "Bypass"}},
	"session_action_msg_type":         {{AllMessages, "All messages"}, {AcceptedMessages, "Accepted messages only"}},
	"direction":                       {{Inbound, "Inbound"}, {Outbound, "Outbound"}},
}

func choicesFor(f Field) []Choice {
	switch f.Kind {
	case KindAction:
		return ActionChoices
	case KindSessionAction:
		return SessionActionChoices
	case KindEnum:
		return enumChoices[f.Name]
	}
	return nil
}
