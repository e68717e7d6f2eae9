// Generates schema/design.schema.json from the zod schema. Owner: validate/yaml agent.
