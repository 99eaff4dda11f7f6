// Generated from the grammar by chevrotain's generateCstDts: do not edit. Regenerate with
// UPDATE_CST=1 npx vitest run test/parser.test.ts (a test fails when this file is stale).
import type { CstNode, ICstVisitor, IToken } from "chevrotain";

export interface ValueCstNode extends CstNode {
  name: "value";
  children: ValueCstChildren;
}

export type ValueCstChildren = {
  Kw_secret?: IToken[];
  Dot?: (IToken)[];
  secretName?: IToken[];
  StringLiteral?: IToken[];
  NumberLiteral?: IToken[];
  True?: IToken[];
  False?: IToken[];
  Null?: IToken[];
  Name?: IToken[];
  Kw_length?: IToken[];
  object?: ObjectCstNode[];
  array?: ArrayCstNode[];
};

export interface ObjectCstNode extends CstNode {
  name: "object";
  children: ObjectCstChildren;
}

export type ObjectCstChildren = {
  LCurly: IToken[];
  objectEntry?: (ObjectEntryCstNode)[];
  Comma?: (IToken)[];
  RCurly: IToken[];
};

export interface ObjectEntryCstNode extends CstNode {
  name: "objectEntry";
  children: ObjectEntryCstChildren;
}

export type ObjectEntryCstChildren = {
  StringLiteral: IToken[];
  Colon: IToken[];
  value: ValueCstNode[];
};

export interface ArrayCstNode extends CstNode {
  name: "array";
  children: ArrayCstChildren;
}

export type ArrayCstChildren = {
  LBracket: IToken[];
  value?: (ValueCstNode)[];
  Comma?: (IToken)[];
  RBracket: IToken[];
};

export interface KeyValueBlockCstNode extends CstNode {
  name: "keyValueBlock";
  children: KeyValueBlockCstChildren;
}

export type KeyValueBlockCstChildren = {
  LCurly: IToken[];
  keyValue?: KeyValueCstNode[];
  RCurly: IToken[];
};

export interface KeyValueCstNode extends CstNode {
  name: "keyValue";
  children: KeyValueCstChildren;
}

export type KeyValueCstChildren = {
  Name?: IToken[];
  StringLiteral?: IToken[];
  Equals: IToken[];
  value: ValueCstNode[];
};

export interface AssignmentCstNode extends CstNode {
  name: "assignment";
  children: AssignmentCstChildren;
}

export type AssignmentCstChildren = {
  Name: IToken[];
  Equals: IToken[];
  value: ValueCstNode[];
};

export interface BodyCstNode extends CstNode {
  name: "body";
  children: BodyCstChildren;
}

export type BodyCstChildren = {
  Kw_json?: IToken[];
  value?: ValueCstNode[];
  Kw_form?: IToken[];
  keyValueBlock?: KeyValueBlockCstNode[];
  Kw_text?: IToken[];
  StringLiteral?: IToken[];
};

export interface FileCstNode extends CstNode {
  name: "file";
  children: FileCstChildren;
}

export type FileCstChildren = {
  flow: FlowCstNode[];
};

export interface FlowCstNode extends CstNode {
  name: "flow";
  children: FlowCstChildren;
}

export type FlowCstChildren = {
  Kw_flow: IToken[];
  Name: IToken[];
  StringLiteral?: IToken[];
  LCurly: IToken[];
  varDecl?: VarDeclCstNode[];
  secretDecl?: SecretDeclCstNode[];
  startExit?: StartExitCstNode[];
  httpWidget?: HttpWidgetCstNode[];
  conditionWidget?: ConditionWidgetCstNode[];
  setWidget?: SetWidgetCstNode[];
  sendWidget?: SendWidgetCstNode[];
  routeWidget?: RouteWidgetCstNode[];
  endWidget?: EndWidgetCstNode[];
  RCurly: IToken[];
};

export interface VarDeclCstNode extends CstNode {
  name: "varDecl";
  children: VarDeclCstChildren;
}

export type VarDeclCstChildren = {
  Kw_global?: IToken[];
  Kw_local?: IToken[];
  Kw_config?: IToken[];
  Name: IToken[];
  Colon: IToken[];
  type: IToken[];
  Equals?: IToken[];
  value?: ValueCstNode[];
  Kw_masked?: IToken[];
};

export interface SecretDeclCstNode extends CstNode {
  name: "secretDecl";
  children: SecretDeclCstChildren;
}

export type SecretDeclCstChildren = {
  Kw_secret: IToken[];
  Name: IToken[];
};

export interface StartExitCstNode extends CstNode {
  name: "startExit";
  children: StartExitCstChildren;
}

export type StartExitCstChildren = {
  Kw_start: IToken[];
  Arrow: IToken[];
  Name: IToken[];
};

export interface MethodSettingCstNode extends CstNode {
  name: "methodSetting";
  children: MethodSettingCstChildren;
}

export type MethodSettingCstChildren = {
  Kw_method: IToken[];
  Name: IToken[];
};

export interface UrlSettingCstNode extends CstNode {
  name: "urlSetting";
  children: UrlSettingCstChildren;
}

export type UrlSettingCstChildren = {
  Kw_url: IToken[];
  value: ValueCstNode[];
};

export interface QuerySettingCstNode extends CstNode {
  name: "querySetting";
  children: QuerySettingCstChildren;
}

export type QuerySettingCstChildren = {
  Kw_query: IToken[];
  keyValueBlock: KeyValueBlockCstNode[];
};

export interface AuthorizationSettingCstNode extends CstNode {
  name: "authorizationSetting";
  children: AuthorizationSettingCstChildren;
}

export type AuthorizationSettingCstChildren = {
  Kw_authorization: IToken[];
  value: ValueCstNode[];
};

export interface HeadersSettingCstNode extends CstNode {
  name: "headersSetting";
  children: HeadersSettingCstChildren;
}

export type HeadersSettingCstChildren = {
  Kw_headers: IToken[];
  keyValueBlock: KeyValueBlockCstNode[];
};

export interface ContentTypeSettingCstNode extends CstNode {
  name: "contentTypeSetting";
  children: ContentTypeSettingCstChildren;
}

export type ContentTypeSettingCstChildren = {
  Kw_content_type: IToken[];
  StringLiteral: IToken[];
};

export interface BodySettingCstNode extends CstNode {
  name: "bodySetting";
  children: BodySettingCstChildren;
}

export type BodySettingCstChildren = {
  Kw_body: IToken[];
  body: BodyCstNode[];
};

export interface RetrySettingCstNode extends CstNode {
  name: "retrySetting";
  children: RetrySettingCstChildren;
}

export type RetrySettingCstChildren = {
  Kw_retry: IToken[];
  NumberLiteral: IToken[];
};

export interface TimeoutSettingCstNode extends CstNode {
  name: "timeoutSetting";
  children: TimeoutSettingCstChildren;
}

export type TimeoutSettingCstChildren = {
  Kw_timeout: IToken[];
  Duration: IToken[];
};

export interface FollowRedirectsSettingCstNode extends CstNode {
  name: "followRedirectsSetting";
  children: FollowRedirectsSettingCstChildren;
}

export type FollowRedirectsSettingCstChildren = {
  Kw_follow_redirects: IToken[];
  True?: IToken[];
  False?: IToken[];
};

export interface MaxResponseBytesSettingCstNode extends CstNode {
  name: "maxResponseBytesSetting";
  children: MaxResponseBytesSettingCstChildren;
}

export type MaxResponseBytesSettingCstChildren = {
  Kw_max_response_bytes: IToken[];
  NumberLiteral: IToken[];
};

export interface ResultsSettingCstNode extends CstNode {
  name: "resultsSetting";
  children: ResultsSettingCstChildren;
}

export type ResultsSettingCstChildren = {
  Kw_results: IToken[];
  LCurly: IToken[];
  resultMapping?: ResultMappingCstNode[];
  RCurly: IToken[];
};

export interface ErrorResultsSettingCstNode extends CstNode {
  name: "errorResultsSetting";
  children: ErrorResultsSettingCstChildren;
}

export type ErrorResultsSettingCstChildren = {
  Kw_error_results: IToken[];
  LCurly: IToken[];
  resultMapping?: ResultMappingCstNode[];
  RCurly: IToken[];
};

export interface MessageSettingCstNode extends CstNode {
  name: "messageSetting";
  children: MessageSettingCstChildren;
}

export type MessageSettingCstChildren = {
  Kw_message: IToken[];
  StringLiteral: IToken[];
};

export interface QueueSettingCstNode extends CstNode {
  name: "queueSetting";
  children: QueueSettingCstChildren;
}

export type QueueSettingCstChildren = {
  Kw_queue: IToken[];
  StringLiteral: IToken[];
};

export interface SuccessExitCstNode extends CstNode {
  name: "successExit";
  children: SuccessExitCstChildren;
}

export type SuccessExitCstChildren = {
  Kw_success: IToken[];
  Arrow: IToken[];
  Name: IToken[];
};

export interface FailExitCstNode extends CstNode {
  name: "failExit";
  children: FailExitCstChildren;
}

export type FailExitCstChildren = {
  Kw_fail: IToken[];
  Arrow: IToken[];
  Name: IToken[];
};

export interface ElseExitCstNode extends CstNode {
  name: "elseExit";
  children: ElseExitCstChildren;
}

export type ElseExitCstChildren = {
  Kw_else: IToken[];
  Arrow: IToken[];
  Name: IToken[];
};

export interface NextExitCstNode extends CstNode {
  name: "nextExit";
  children: NextExitCstChildren;
}

export type NextExitCstChildren = {
  Kw_next: IToken[];
  Arrow: IToken[];
  Name: IToken[];
};

export interface HttpWidgetCstNode extends CstNode {
  name: "httpWidget";
  children: HttpWidgetCstChildren;
}

export type HttpWidgetCstChildren = {
  Kw_http: IToken[];
  Name: IToken[];
  StringLiteral?: IToken[];
  LCurly?: IToken[];
  statusExit?: StatusExitCstNode[];
  methodSetting?: MethodSettingCstNode[];
  urlSetting?: UrlSettingCstNode[];
  querySetting?: QuerySettingCstNode[];
  authorizationSetting?: AuthorizationSettingCstNode[];
  headersSetting?: HeadersSettingCstNode[];
  contentTypeSetting?: ContentTypeSettingCstNode[];
  bodySetting?: BodySettingCstNode[];
  retrySetting?: RetrySettingCstNode[];
  timeoutSetting?: TimeoutSettingCstNode[];
  followRedirectsSetting?: FollowRedirectsSettingCstNode[];
  maxResponseBytesSetting?: MaxResponseBytesSettingCstNode[];
  resultsSetting?: ResultsSettingCstNode[];
  errorResultsSetting?: ErrorResultsSettingCstNode[];
  successExit?: SuccessExitCstNode[];
  failExit?: FailExitCstNode[];
  RCurly?: IToken[];
};

export interface ConditionWidgetCstNode extends CstNode {
  name: "conditionWidget";
  children: ConditionWidgetCstChildren;
}

export type ConditionWidgetCstChildren = {
  Kw_condition: IToken[];
  Name: IToken[];
  StringLiteral?: IToken[];
  LCurly?: IToken[];
  whenBranch?: WhenBranchCstNode[];
  elseExit?: ElseExitCstNode[];
  RCurly?: IToken[];
};

export interface SetWidgetCstNode extends CstNode {
  name: "setWidget";
  children: SetWidgetCstChildren;
}

export type SetWidgetCstChildren = {
  Kw_set: IToken[];
  Name: IToken[];
  StringLiteral?: IToken[];
  LCurly?: IToken[];
  setEntry?: SetEntryCstNode[];
  RCurly?: IToken[];
};

export interface SendWidgetCstNode extends CstNode {
  name: "sendWidget";
  children: SendWidgetCstChildren;
}

export type SendWidgetCstChildren = {
  Kw_send: IToken[];
  Name: IToken[];
  StringLiteral?: IToken[];
  LCurly?: IToken[];
  messageSetting?: MessageSettingCstNode[];
  nextExit?: NextExitCstNode[];
  RCurly?: IToken[];
};

export interface RouteWidgetCstNode extends CstNode {
  name: "routeWidget";
  children: RouteWidgetCstChildren;
}

export type RouteWidgetCstChildren = {
  Kw_route: IToken[];
  Name: IToken[];
  StringLiteral?: IToken[];
  LCurly?: IToken[];
  queueSetting?: QueueSettingCstNode[];
  RCurly?: IToken[];
};

export interface EndWidgetCstNode extends CstNode {
  name: "endWidget";
  children: EndWidgetCstChildren;
}

export type EndWidgetCstChildren = {
  Kw_end: IToken[];
  Name: IToken[];
  StringLiteral?: IToken[];
  LCurly?: IToken[];
  RCurly?: IToken[];
};

export interface ResultMappingCstNode extends CstNode {
  name: "resultMapping";
  children: ResultMappingCstChildren;
}

export type ResultMappingCstChildren = {
  StringLiteral?: IToken[];
  Kw_status?: IToken[];
  Kw_header?: IToken[];
  headerName?: IToken[];
  Arrow: IToken[];
  Name: IToken[];
};

export interface WhenBranchCstNode extends CstNode {
  name: "whenBranch";
  children: WhenBranchCstChildren;
}

export type WhenBranchCstChildren = {
  Kw_when: IToken[];
  orExpr: OrExprCstNode[];
  Arrow: IToken[];
  Name: IToken[];
};

export interface StatusExitCstNode extends CstNode {
  name: "statusExit";
  children: StatusExitCstChildren;
}

export type StatusExitCstChildren = {
  Kw_on: IToken[];
  statusMatch: StatusMatchCstNode[];
  Comma?: IToken[];
  Arrow: IToken[];
  Name: IToken[];
};

export interface StatusMatchCstNode extends CstNode {
  name: "statusMatch";
  children: StatusMatchCstChildren;
}

export type StatusMatchCstChildren = {
  NumberLiteral?: IToken[];
  StatusClass?: IToken[];
  Kw_timeout?: IToken[];
  Kw_network_error?: IToken[];
};

export interface SetEntryCstNode extends CstNode {
  name: "setEntry";
  children: SetEntryCstChildren;
}

export type SetEntryCstChildren = {
  nextExit?: NextExitCstNode[];
  assignment?: AssignmentCstNode[];
};

export interface OrExprCstNode extends CstNode {
  name: "orExpr";
  children: OrExprCstChildren;
}

export type OrExprCstChildren = {
  andExpr: (AndExprCstNode)[];
  Or?: IToken[];
};

export interface AndExprCstNode extends CstNode {
  name: "andExpr";
  children: AndExprCstChildren;
}

export type AndExprCstChildren = {
  notExpr: (NotExprCstNode)[];
  And?: IToken[];
};

export interface NotExprCstNode extends CstNode {
  name: "notExpr";
  children: NotExprCstChildren;
}

export type NotExprCstChildren = {
  Not?: IToken[];
  notExpr?: NotExprCstNode[];
  comparison?: ComparisonCstNode[];
};

export interface ComparisonCstNode extends CstNode {
  name: "comparison";
  children: ComparisonCstChildren;
}

export type ComparisonCstChildren = {
  primary: (PrimaryCstNode)[];
  EqEq?: IToken[];
  NotEq?: IToken[];
  LessEq?: IToken[];
  GreaterEq?: IToken[];
  Less?: IToken[];
  Greater?: IToken[];
  Contains?: IToken[];
};

export interface PrimaryCstNode extends CstNode {
  name: "primary";
  children: PrimaryCstChildren;
}

export type PrimaryCstChildren = {
  StringLiteral?: IToken[];
  NumberLiteral?: IToken[];
  True?: IToken[];
  False?: IToken[];
  Null?: IToken[];
  Name?: IToken[];
  Dot?: IToken[];
  Kw_length?: IToken[];
  LParen?: IToken[];
  orExpr?: OrExprCstNode[];
  RParen?: IToken[];
};

export interface ICstNodeVisitor<IN, OUT> extends ICstVisitor<IN, OUT> {
  value(children: ValueCstChildren, param?: IN): OUT;
  object(children: ObjectCstChildren, param?: IN): OUT;
  objectEntry(children: ObjectEntryCstChildren, param?: IN): OUT;
  array(children: ArrayCstChildren, param?: IN): OUT;
  keyValueBlock(children: KeyValueBlockCstChildren, param?: IN): OUT;
  keyValue(children: KeyValueCstChildren, param?: IN): OUT;
  assignment(children: AssignmentCstChildren, param?: IN): OUT;
  body(children: BodyCstChildren, param?: IN): OUT;
  file(children: FileCstChildren, param?: IN): OUT;
  flow(children: FlowCstChildren, param?: IN): OUT;
  varDecl(children: VarDeclCstChildren, param?: IN): OUT;
  secretDecl(children: SecretDeclCstChildren, param?: IN): OUT;
  startExit(children: StartExitCstChildren, param?: IN): OUT;
  methodSetting(children: MethodSettingCstChildren, param?: IN): OUT;
  urlSetting(children: UrlSettingCstChildren, param?: IN): OUT;
  querySetting(children: QuerySettingCstChildren, param?: IN): OUT;
  authorizationSetting(children: AuthorizationSettingCstChildren, param?: IN): OUT;
  headersSetting(children: HeadersSettingCstChildren, param?: IN): OUT;
  contentTypeSetting(children: ContentTypeSettingCstChildren, param?: IN): OUT;
  bodySetting(children: BodySettingCstChildren, param?: IN): OUT;
  retrySetting(children: RetrySettingCstChildren, param?: IN): OUT;
  timeoutSetting(children: TimeoutSettingCstChildren, param?: IN): OUT;
  followRedirectsSetting(children: FollowRedirectsSettingCstChildren, param?: IN): OUT;
  maxResponseBytesSetting(children: MaxResponseBytesSettingCstChildren, param?: IN): OUT;
  resultsSetting(children: ResultsSettingCstChildren, param?: IN): OUT;
  errorResultsSetting(children: ErrorResultsSettingCstChildren, param?: IN): OUT;
  messageSetting(children: MessageSettingCstChildren, param?: IN): OUT;
  queueSetting(children: QueueSettingCstChildren, param?: IN): OUT;
  successExit(children: SuccessExitCstChildren, param?: IN): OUT;
  failExit(children: FailExitCstChildren, param?: IN): OUT;
  elseExit(children: ElseExitCstChildren, param?: IN): OUT;
  nextExit(children: NextExitCstChildren, param?: IN): OUT;
  httpWidget(children: HttpWidgetCstChildren, param?: IN): OUT;
  conditionWidget(children: ConditionWidgetCstChildren, param?: IN): OUT;
  setWidget(children: SetWidgetCstChildren, param?: IN): OUT;
  sendWidget(children: SendWidgetCstChildren, param?: IN): OUT;
  routeWidget(children: RouteWidgetCstChildren, param?: IN): OUT;
  endWidget(children: EndWidgetCstChildren, param?: IN): OUT;
  resultMapping(children: ResultMappingCstChildren, param?: IN): OUT;
  whenBranch(children: WhenBranchCstChildren, param?: IN): OUT;
  statusExit(children: StatusExitCstChildren, param?: IN): OUT;
  statusMatch(children: StatusMatchCstChildren, param?: IN): OUT;
  setEntry(children: SetEntryCstChildren, param?: IN): OUT;
  orExpr(children: OrExprCstChildren, param?: IN): OUT;
  andExpr(children: AndExprCstChildren, param?: IN): OUT;
  notExpr(children: NotExprCstChildren, param?: IN): OUT;
  comparison(children: ComparisonCstChildren, param?: IN): OUT;
  primary(children: PrimaryCstChildren, param?: IN): OUT;
}

