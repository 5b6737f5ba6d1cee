export {
  brokerConfigSchema,
  brokerEnvMap,
  DEFAULT_MAX_PAYLOAD_BYTES,
  DEFAULT_CONNECT_TIMEOUT_MS,
} from './config.js';
export type { BrokerConfig, BrokerConfigInput } from './config.js';
export { BrokerService } from './broker-service.js';
export { createBroker, startBroker } from './start-broker.js';
export type { BrokerServiceOptions } from './broker-service.js';
export {
  addCredential,
  removeCredential,
  listCredentials,
  generatePassword,
  MIN_PASSWORD_LENGTH,
} from './credentials/credential-admin.js';
export type { AddCredentialInput } from './credentials/credential-admin.js';
export { hashPassword, verifyPassword } from './credentials/password-hash.js';
export {
  readCredentialsFile,
  CredentialsFileError,
  DEFAULT_CREDENTIALS_FILE,
  CREDENTIALS_FILE_ENV,
} from './credentials/credentials-file.js';
export { ROLES, ALL_SITES, grantSchema, credentialSchema } from './credentials/credential-schema.js';
export type { Role, Grant, Credential } from './credentials/credential-schema.js';
export { canPublish, canSubscribe } from './auth/acl.js';
export { MAX_FILTERS_PER_CLIENT } from './auth/filter-cap.js';
export type { AclDecision } from './auth/acl.js';
export type { Principal } from './auth/principal.js';
export { brokerTlsSchema, brokerTlsEnvMap, DEFAULT_MQTT_TLS_PORT } from './tls/tls-config.js';
export type { BrokerTlsConfig } from './tls/tls-config.js';
export { certificateNames, checkClientCertificate } from './tls/client-certificate.js';
export { openPersistence } from './persistence/open-persistence.js';
export type { OpenedPersistence } from './persistence/open-persistence.js';
export {
  brokerPersistenceSchema,
  PERSISTENCE_BACKENDS,
  type BrokerPersistenceConfig,
} from './persistence/persistence-config.js';
export { BROKER_PROCESS_ENV } from './process-env.js';
export {
  credentialsFileSchemaOf,
  passwordHashSchema,
  usernameSchema,
} from './credentials/credential-schema.js';
export { brokerLimitsSchema, brokerLimitsEnvMap, type BrokerLimits } from './admission/admission-config.js';
export { ConnectionAdmission, type ConnectionRefusal } from './admission/connection-admission.js';
export {
  PasswordCheckGate,
  LOGIN_REFUSAL_CODES,
  type LoginOutcome,
  type LoginRefusal,
} from './admission/password-check-gate.js';
export { guardFrameSize } from './frame-guard.js';
export { exportMosquitto, setMosquittoPassword, MOSQUITTO_FILES } from './mosquitto/mosquitto-export.js';
