# The diego.bbs models (Sources/Models/Generated), public so Store and Services use them.
gen Sources/Models/Generated Public diego/bbs/*.proto
