package core

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// AppType is a Configuration Layer Application type, spelled as the scenario format spells it.
type AppType string

// The application types the simulated Interaction Server knows.
const (
	TypeInteractionServer     AppType = "InteractionServer"
	TypeRoutingServer         AppType = "RoutingServer"
	TypeClassificationServer  AppType = "ClassificationServer"
	TypeEmailServer           AppType = "EmailServer"
	TypeChatServer            AppType = "ChatServer"
	TypeSMSServer             AppType = "SMSServer"
	TypeSocialMessagingServer AppType = "SocialMessagingServer"
	TypeThirdPartyServer      AppType = "ThirdPartyServer"
	TypeDBServer              AppType = "DBServer"
	TypeDatabaseAccessPoint   AppType = "DatabaseAccessPoint"
)

// AppTypes lists every type in the order the reference gives them.
var AppTypes = []AppType{
	TypeInteractionServer, TypeRoutingServer, TypeClassificationServer, TypeEmailServer,
	TypeChatServer, TypeSMSServer, TypeSocialMessagingServer, TypeThirdPartyServer,
	TypeDBServer, TypeDatabaseAccessPoint,
}

// IsESP reports whether the Interaction Server can invoke servers of this type through the
// External Services Protocol (the seed's "application servers").
func (t AppType) IsESP() bool {
	switch t {
	case TypeClassificationServer, TypeEmailServer, TypeChatServer, TypeSMSServer,
		TypeSocialMessagingServer, TypeThirdPartyServer:
		return true
	}
	return false
}

// IsMedia reports whether servers of this type submit interactions (the media-server half of the
// dual role of E-mail, Chat, SMS and Social Messaging servers).
func (t AppType) IsMedia() bool {
	switch t {
	case TypeEmailServer, TypeChatServer, TypeSMSServer, TypeSocialMessagingServer:
		return true
	}
	return false
}

// Valid reports whether t is a known type.
func (t AppType) Valid() bool {
	for _, k := range AppTypes {
		if k == t {
			return true
		}
	}
	return false
}

// Options are Configuration Layer option sections: section -> option -> value, values as text.
type Options map[string]map[string]string

// Get returns the value of section/option and whether it is set.
func (o Options) Get(section, option string) (string, bool) {
	s, ok := o[section]
	if !ok {
		return "", false
	}
	v, ok := s[option]
	return v, ok
}

// Set writes section/option, creating the section.
func (o Options) Set(section, option, value string) {
	s, ok := o[section]
	if !ok {
		s = map[string]string{}
		o[section] = s
	}
	s[option] = value
}

// Clone copies o deeply, so a running engine never shares option maps with its configuration.
func (o Options) Clone() Options {
	c := Options{}
	for s, opts := range o {
		m := make(map[string]string, len(opts))
		for k, v := range opts {
			m[k] = v
		}
		c[s] = m
	}
	return c
}

// ParseBool reads a Genesys boolean option value (true/false, yes/no, 1/0).
func ParseBool(v string) (bool, bool) {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "true", "yes", "1", "on":
		return true, true
	case "false", "no", "0", "off":
		return false, true
	}
	return false, false
}

// ParseOptionDuration reads a timeout option: a Go duration ("30s") or a bare number in the
// option's documented unit (delivering-timeout is in seconds, routing-timeout in minutes).
func ParseOptionDuration(v string, unit time.Duration) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if n, err := strconv.ParseFloat(v, 64); err == nil {
		// NaN, infinities and what overflows a duration are no duration at all.
		if x := n * float64(unit); n < 0 || math.IsNaN(x) || x >= math.MaxInt64 {
			return 0, false
		}
		return time.Duration(n * float64(unit)), true
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < 0 {
		return 0, false
	}
	return d, true
}

// AppConfig is one Application object.
type AppConfig struct {
	Name        string
	Type        AppType
	Backup      string   // InteractionServer: its warm-standby backup
	Connections []string // the Connections tab
	Options     Options
	Annex       Options
	Services    []string // ThirdPartyServer: the services it provides
	DBServer    string   // DatabaseAccessPoint: the DB Server it goes through
	Database    string   // DatabaseAccessPoint: the logical database it points at
	StepTime    time.Duration
	StatDelay   time.Duration // RoutingServer: how far its view of agent states lags (sim.stat_delay)
	ServiceTime time.Duration
}

// ClusterConfig is an Application Cluster: one level, members of one type.
type ClusterConfig struct {
	Name    string
	Members []string
}

// StepKind is a strategy step.
type StepKind uint8

// The strategy steps of the scenario format.
const (
	StepClassify StepKind = iota
	StepAutoresponse
	StepESP
	StepRoute
	StepQueue
	StepStop
)

var stepNames = [...]string{"classify", "autoresponse", "esp", "route", "queue", "stop"}

func (k StepKind) String() string { return stepNames[k] }

// Category is one classification outcome with its relative weight.
type Category struct {
	Name   string
	Weight float64
}

// CategoryRoute maps a classification category to an agent group.
type CategoryRoute struct {
	Category string
	Group    string
}

// Step is one object of a strategy.
type Step struct {
	Kind       StepKind
	Via        string // classify, autoresponse, esp: application name, application type or cluster
	Service    string
	Method     string
	Categories []Category      // classify
	Group      string          // route {group}
	ByCategory []CategoryRoute // route {by_category}
	Default    string          // route {by_category: {default}}
	Queue      string          // queue
}

// StrategyConfig is a routing strategy and the URS it is activated on.
type StrategyConfig struct {
	Name        string
	ActivatedOn []string
	Steps       []Step
}

// QueueConfig is an interaction queue of a business process, with its strategy object.
type QueueConfig struct {
	Name            string
	BusinessProcess string
	Strategy        string
	ServiceLevel    time.Duration // service-level threshold of this queue; 0: the scenario's
	// Warmup of this queue's service figures (`service_level: {warmup}` of the queue); 0: the
	// scenario's (Config.Warmup).
	Warmup time.Duration
}

// MediaCapacity is how many interactions of one media an agent handles at once.
type MediaCapacity struct {
	Media string
	Max   int
}

// AgentGroupConfig is a group of identical agents.
type AgentGroupConfig struct {
	Name       string
	Agents     int
	Capacity   []MediaCapacity
	HandleTime time.Duration // mean of an exponential handle time
	AnswerTime time.Duration // time for an invited agent to answer
	Accept     float64       // probability an invite is accepted
}

// TrafficConfig is a Poisson arrival stream submitted by a media server into a queue.
type TrafficConfig struct {
	Media string
	From  string
	Queue string
	Rate  float64 // arrivals per second
	Start time.Duration
	Stop  time.Duration // 0: until the end
	// Patience is the mean of an exponential customer patience; 0: customers wait forever.
	Patience time.Duration
}

// ActionKind is an operator action or fault.
type ActionKind uint8

// The operator actions of the timeline and the console.
const (
	ActStop ActionKind = iota
	ActStart
	ActActivate
	ActDeactivate
	ActSetOption
	ActRepoint
	ActSwitchover
	ActJoin
	ActLeave
	ActRestart // an Interaction Server restarts and restores from its database
)

var actionNames = [...]string{"stop", "start", "activate", "deactivate", "set", "repoint", "switchover", "join", "leave", "restart"}

func (k ActionKind) String() string {
	if int(k) < len(actionNames) {
		return actionNames[k]
	}
	return "action(" + strconv.Itoa(int(k)) + ")"
}

// ParseActionKind reads an action kind by name.
func ParseActionKind(s string) (ActionKind, bool) {
	for i, n := range actionNames {
		if n == s {
			return ActionKind(i), true
		}
	}
	return 0, false
}

// MarshalText writes the kind by name, so saved actions read well and survive new kinds.
func (k ActionKind) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

// UnmarshalText reads a kind written by MarshalText.
func (k *ActionKind) UnmarshalText(b []byte) error {
	v, ok := ParseActionKind(string(b))
	if !ok {
		return fmt.Errorf("unknown action kind %q", b)
	}
	*k = v
	return nil
}

// Action is one operator action. Which fields matter depends on Kind.
type Action struct {
	Kind     ActionKind
	App      string   // stop, start, set, repoint, switchover, join, leave
	Strategy string   // activate, deactivate
	URS      []string // activate, deactivate
	Section  string   // set
	Option   string   // set
	Value    string   // set
	Database string   // repoint
	Cluster  string   // join, leave
}

// TimedAction is an action of the timeline.
type TimedAction struct {
	At time.Duration
	Action
	// Operator marks an operator's action (`by: operator`, what an exported console session
	// writes): it is carried out once everything due at its instant has happened, as the
	// console's operator acts between instants, not before the events of that instant.
	Operator bool `json:",omitempty"`
}

// Config is one Interaction Server deployment, its routing design, workload and timeline: what a
// scenario file describes, already checked for references by the scenarios package.
type Config struct {
	Name        string
	Description string
	Seed        uint64
	Duration    time.Duration
	Apps        []AppConfig
	Clusters    []ClusterConfig
	Databases   []string
	Strategies  []StrategyConfig
	Queues      []QueueConfig
	AgentGroups []AgentGroupConfig
	Traffic     []TrafficConfig
	Timeline    []TimedAction
	// ServiceLevel is the service-level threshold (the `service_level: {threshold}` of the
	// scenario); 0 means DefaultServiceLevel.
	ServiceLevel time.Duration
	// Warmup is the scenario's warm-up (`service_level: {warmup}`, `--warmup`): interactions that
	// arrive before it are left out of the service figures (service.Q, occupancy), because a run
	// starts empty and its first stretch is not the steady state a planner sizes for. The report
	// says how many were left out. 0: none. A queue may set its own (QueueConfig.Warmup).
	Warmup time.Duration
}

// SetWarmup makes d the warm-up of every queue, the file's per-queue warm-ups included: what
// `--warmup D` on the command line does.
func (c *Config) SetWarmup(d time.Duration) {
	c.Warmup = d
	for i := range c.Queues {
		c.Queues[i].Warmup = 0
	}
}

// QueueWarmup is the warm-up in force for queue i: its own, else the scenario's.
func (c *Config) QueueWarmup(i int) time.Duration {
	if i >= 0 && i < len(c.Queues) && c.Queues[i].Warmup > 0 {
		return c.Queues[i].Warmup
	}
	return c.Warmup
}

// App returns the application named name.
func (c *Config) App(name string) (*AppConfig, bool) {
	for i := range c.Apps {
		if c.Apps[i].Name == name {
			return &c.Apps[i], true
		}
	}
	return nil, false
}

// Defaults of the simulation knobs and the service level (the options' are in the registry,
// options.go).
const (
	DefaultStepTime     = 10 * time.Millisecond
	DefaultStatDelay    = 200 * time.Millisecond
	DefaultServiceTime  = 20 * time.Millisecond
	DefaultAnswerTime   = 2 * time.Second
	DefaultServiceLevel = 20 * time.Second
	// ESPAttempts is how many times a URS tries an ESP step that faulted before it takes the
	// step's error branch and goes on with the next step.
	ESPAttempts = 3
)
