// Package coretest holds scenario configurations that tests of several packages share (the
// console's and its runner's), so there is one copy of each.
package coretest

import (
	"time"

	"github.com/ixlb/ixlb/core"
)

// SeedConfig is the seed document's example: URS_1 has strategies A and C loaded, URS_2 has B and
// C, one IS with a backup and two DAPs to one database. (core's own tests keep a twin: they cannot
// import this package.)
func SeedConfig() core.Config {
	tr := map[string]string{"agent_reservation": "true"}
	return core.Config{
		Name: "seed-example", Seed: 7, Duration: 10 * time.Minute,
		Apps: []core.AppConfig{
			{Name: "IxnServer", Type: core.TypeInteractionServer, Backup: "IxnServer_B",
				Connections: []string{"DAP_1", "DAP_2", "ClassSrv_1", "ClassSrv_2", "EmailSrv_1", "FaxSrv_1", "IMSrv_1"},
				Options:     core.Options{"settings": {"delivering-timeout": "30"}},
				Annex:       core.Options{"agent_reservation": {"URS_1": "true", "URS_2": "true"}}},
			{Name: "IxnServer_B", Type: core.TypeInteractionServer},
			{Name: "URS_1", Type: core.TypeRoutingServer, Connections: []string{"IxnServer"}, Options: core.Options{"default": tr}},
			{Name: "URS_2", Type: core.TypeRoutingServer, Connections: []string{"IxnServer"}, Options: core.Options{"default": tr}},
			{Name: "ClassSrv_1", Type: core.TypeClassificationServer},
			{Name: "ClassSrv_2", Type: core.TypeClassificationServer},
			{Name: "EmailSrv_1", Type: core.TypeEmailServer},
			{Name: "FaxSrv_1", Type: core.TypeThirdPartyServer, Services: []string{"fax"}},
			{Name: "FaxSrv_2", Type: core.TypeThirdPartyServer, Services: []string{"fax"}},
			{Name: "IMSrv_1", Type: core.TypeThirdPartyServer, Services: []string{"im"}},
			{Name: "DBServer_1", Type: core.TypeDBServer},
			{Name: "DBServer_2", Type: core.TypeDBServer},
			{Name: "DAP_1", Type: core.TypeDatabaseAccessPoint, DBServer: "DBServer_1", Database: "ixn"},
			{Name: "DAP_2", Type: core.TypeDatabaseAccessPoint, DBServer: "DBServer_2", Database: "ixn"},
		},
		Clusters:  []core.ClusterConfig{{Name: "FaxCluster", Members: []string{"FaxSrv_1"}}},
		Databases: []string{"ixn", "other"},
		Strategies: []core.StrategyConfig{
			{Name: "A", ActivatedOn: []string{"URS_1"}, Steps: []core.Step{
				{Kind: core.StepClassify, Via: "ClassificationServer", Categories: []core.Category{{Name: "billing", Weight: 3}, {Name: "sales", Weight: 1}}},
				{Kind: core.StepRoute, ByCategory: []core.CategoryRoute{{Category: "billing", Group: "Billing"}}, Default: "Sales"},
			}},
			{Name: "B", ActivatedOn: []string{"URS_2"}, Steps: []core.Step{
				{Kind: core.StepAutoresponse, Via: "EmailSrv_1"},
				{Kind: core.StepRoute, Group: "Sales"},
			}},
			{Name: "C", ActivatedOn: []string{"URS_1", "URS_2"}, Steps: []core.Step{
				{Kind: core.StepESP, Via: "FaxCluster", Service: "fax", Method: "send"},
				{Kind: core.StepRoute, Group: "Sales"},
			}},
		},
		Queues: []core.QueueConfig{
			{Name: "email_in", BusinessProcess: "Inbound", Strategy: "A"},
			{Name: "sms_in", BusinessProcess: "Inbound", Strategy: "B"},
			{Name: "fax_in", BusinessProcess: "Inbound", Strategy: "C"},
		},
		AgentGroups: []core.AgentGroupConfig{
			{Name: "Sales", Agents: 200, Capacity: []core.MediaCapacity{{Media: "email", Max: 1}, {Media: "sms", Max: 3}, {Media: "fax", Max: 1}}, HandleTime: 2 * time.Minute, AnswerTime: 2 * time.Second, Accept: 1},
			{Name: "Billing", Agents: 300, Capacity: []core.MediaCapacity{{Media: "email", Max: 1}}, HandleTime: 3 * time.Minute, AnswerTime: 2 * time.Second, Accept: 0.95},
		},
		Traffic: []core.TrafficConfig{
			{Media: "email", From: "EmailSrv_1", Queue: "email_in", Rate: 2, Stop: 8 * time.Minute},
			{Media: "sms", From: "EmailSrv_1", Queue: "sms_in", Rate: 1},
			{Media: "fax", From: "EmailSrv_1", Queue: "fax_in", Rate: 1},
		},
	}
}
