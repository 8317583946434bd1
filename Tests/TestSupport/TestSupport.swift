// Test support: certificates, processes, free ports.
