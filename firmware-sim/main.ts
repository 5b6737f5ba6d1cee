import { createLogger, runUntilSignalled } from '../runtime/index.js';
import { loadSimulatorConfig } from './config.js';
import { SimulatorService } from './service.js';

const config = loadSimulatorConfig({ file: process.env.SIM_CONFIG_FILE });
const logger = createLogger('firmware-sim', { level: config.logLevel });
runUntilSignalled(logger, new SimulatorService(config, logger));
