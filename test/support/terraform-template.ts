// The tests read synthesized ConfigMaps as the pod gets them: through Terraform's template
// evaluation (terraform-check/template-value.ts).
export { terraformLiteralData, terraformLiteralValue } from "../../terraform-check/template-value";
