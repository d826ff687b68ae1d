package core

import "time"

// seedConfig is the seed document's example: URS_1 has strategies A and C loaded, URS_2 has B and
// C, behind one Interaction Server with two DAPs to one database.
func seedConfig() Config {
	tr := map[string]string{"agent_reservation": "true"}
	return Config{
		Name: "seed-example", Seed: 7, Duration: 10 * time.Minute,
		Apps: []AppConfig{
			{Name: "IxnServer", Type: TypeInteractionServer, Backup: "IxnServer_B",
				Connections: []string{"DAP_1", "DAP_2", "ClassSrv_1", "ClassSrv_2", "EmailSrv_1", "FaxSrv_1", "IMSrv_1"},
				Options:     Options{"settings": {"delivering-timeout": "30"}},
				Annex:       Options{"agent_reservation": {"URS_1": "true", "URS_2": "true"}}},
			{Name: "IxnServer_B", Type: TypeInteractionServer},
			{Name: "URS_1", Type: TypeRoutingServer, Connections: []string{"IxnServer"}, Options: Options{"default": tr}},
			{Name: "URS_2", Type: TypeRoutingServer, Connections: []string{"IxnServer"}, Options: Options{"default": tr}},
			{Name: "ClassSrv_1", Type: TypeClassificationServer},
			{Name: "ClassSrv_2", Type: TypeClassificationServer},
			{Name: "EmailSrv_1", Type: TypeEmailServer},
			{Name: "FaxSrv_1", Type: TypeThirdPartyServer, Services: []string{"fax"}},
			{Name: "FaxSrv_2", Type: TypeThirdPartyServer, Services: []string{"fax"}},
			{Name: "IMSrv_1", Type: TypeThirdPartyServer, Services: []string{"im"}},
			{Name: "DBServer_1", Type: TypeDBServer},
			{Name: "DBServer_2", Type: TypeDBServer},
			{Name: "DAP_1", Type: TypeDatabaseAccessPoint, DBServer: "DBServer_1", Database: "ixn"},
			{Name: "DAP_2", Type: TypeDatabaseAccessPoint, DBServer: "DBServer_2", Database: "ixn"},
		},
		Clusters:  []ClusterConfig{{Name: "FaxCluster", Members: []string{"FaxSrv_1"}}},
		Databases: []string{"ixn", "other"},
		Strategies: []StrategyConfig{
			{Name: "A", ActivatedOn: []string{"URS_1"}, Steps: []Step{
				{Kind: StepClassify, Via: "ClassificationServer", Categories: []Category{{"billing", 3}, {"sales", 1}}},
				{Kind: StepRoute, ByCategory: []CategoryRoute{{"billing", "Billing"}}, Default: "Sales"},
			}},
			{Name: "B", ActivatedOn: []string{"URS_2"}, Steps: []Step{
				{Kind: StepAutoresponse, Via: "EmailSrv_1"},
				{Kind: StepRoute, Group: "Sales"},
			}},
			{Name: "C", ActivatedOn: []string{"URS_1", "URS_2"}, Steps: []Step{
				{Kind: StepESP, Via: "FaxCluster", Service: "fax", Method: "send"},
				{Kind: StepRoute, Group: "Sales"},
			}},
		},
		Queues: []QueueConfig{
			{Name: "email_in", BusinessProcess: "Inbound", Strategy: "A"},
			{Name: "sms_in", BusinessProcess: "Inbound", Strategy: "B"},
			{Name: "fax_in", BusinessProcess: "Inbound", Strategy: "C"},
		},
		AgentGroups: []AgentGroupConfig{
			{Name: "Sales", Agents: 200, Capacity: []MediaCapacity{{"email", 1}, {"sms", 3}, {"fax", 1}}, HandleTime: 2 * time.Minute, AnswerTime: 2 * time.Second, Accept: 1},
			{Name: "Billing", Agents: 300, Capacity: []MediaCapacity{{"email", 1}}, HandleTime: 3 * time.Minute, AnswerTime: 2 * time.Second, Accept: 0.95},
		},
		Traffic: []TrafficConfig{
			{Media: "email", From: "EmailSrv_1", Queue: "email_in", Rate: 2, Stop: 8 * time.Minute},
			{Media: "sms", From: "EmailSrv_1", Queue: "sms_in", Rate: 1},
			{Media: "fax", From: "EmailSrv_1", Queue: "fax_in", Rate: 1},
		},
	}
}
