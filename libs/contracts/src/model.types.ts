export interface ModelObject {
  id: string;
  object: 'model';
  created: number;
  owned_by: string;
}

export interface ListObject<T> {
  object: 'list';
  data: T[];
}
